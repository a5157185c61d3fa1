/**
 * Moments and the diff between two of them: "what was allocated between A and B and is still
 * alive, by component" is the question behind most leaks. A moment is the handle of every index
 * (0 where nothing lives), so an object allocated after A is one whose handle at B differs from
 * A's: a freed index gets a new generation, so a reused index never passes for its old object.
 */
import { packHandle } from '../core/handle.ts';
import { EPHEMERON, type HeapState, WEAK, YOUNG } from '../core/state.ts';

export interface Moment {
  readonly name: string;
  /** Collector calls recorded when it was taken (the page's frame axis). */
  readonly seq: number;
  /** Milliseconds since the inspector started. */
  readonly time: number;
  readonly live: number;
  /** The live handle at each index below the state's `top`, else 0. */
  readonly handles: Float64Array;
}

export interface Diff {
  from: { name: string; seq: number; time: number; live: number };
  to: { name: string; seq: number; time: number; live: number };
  /** Objects live at `to` and not at `from`: allocated in between. */
  allocated: number;
  /** Of those, the ones still alive now. */
  stillAlive: number;
  /** Objects live at `from` and no longer at `to`. */
  freed: number;
  /**
   * The still-alive allocated objects by component (an object with two components counts in
   * both), with a few of their handles to ask `whyAlive`.
   */
  byComponent: { name: string; count: number; sample: number[] }[];
  /** Still-alive allocated objects with no component. */
  withoutComponent: number;
  byKind: { strong: number; weak: number; ephemeron: number };
  /** Of the still-alive allocated objects, how many are young now. */
  young: number;
  /** Up to `SAMPLE` of the still-alive allocated handles, spread over the index range, to ask `whyAlive`. */
  sample: number[];
}

const SAMPLE = 24;
const COMPONENT_SAMPLE = 3;

/** The handles of every live object now. */
export function takeMoment(s: HeapState, name: string, seq: number, time: number): Moment {
  const top = s.top;
  const handles = new Float64Array(top);
  const color = s.color;
  const generation = s.generation;
  const liveMask = s.liveMask;
  let live = 0;
  for (let i = 1; i < top; i++) {
    if ((color[i]! & liveMask) === 0) continue;
    handles[i] = packHandle(s.codec, i, generation[i]!);
    live++;
  }
  return { name, seq, time, live, handles };
}

export function diffMoments(s: HeapState, from: Moment, to: Moment): Diff {
  const a = from.handles;
  const b = to.handles;
  const color = s.color;
  const generation = s.generation;
  const flags = s.flags;
  const liveMask = s.liveMask;
  // 1 for an object allocated between the moments and alive now.
  const kept = new Uint8Array(Math.max(b.length, 1));
  let allocated = 0;
  let stillAlive = 0;
  let freed = 0;
  let young = 0;
  const byKind = { strong: 0, weak: 0, ephemeron: 0 };
  for (let i = 1; i < a.length; i++) if (a[i] !== 0 && (i >= b.length || b[i] !== a[i])) freed++;
  for (let i = 1; i < b.length; i++) {
    const h = b[i]!;
    if (h === 0 || (i < a.length && a[i] === h)) continue;
    allocated++;
    if (i >= s.top || (color[i]! & liveMask) === 0 || packHandle(s.codec, i, generation[i]!) !== h) continue;
    kept[i] = 1;
    stillAlive++;
    const f = flags[i]!;
    if ((f & YOUNG) !== 0) young++;
    if ((f & WEAK) !== 0) byKind.weak++;
    else if ((f & EPHEMERON) !== 0) byKind.ephemeron++;
    else byKind.strong++;
  }
  // By component, through each component's member list; an object in none counts apart.
  const inSome = new Uint8Array(kept.length);
  const byComponent = s.components.list.map((c) => {
    let count = 0;
    const sample: number[] = [];
    for (let k = 0; k < c.memberCount; k++) {
      const i = c.members[k]!;
      if (i < kept.length && kept[i] === 1) {
        count++;
        inSome[i] = 1;
        if (sample.length < COMPONENT_SAMPLE) sample.push(b[i]!);
      }
    }
    return { name: c.name, count, sample };
  });
  let withoutComponent = 0;
  const sample: number[] = [];
  const every = Math.max(1, Math.floor(stillAlive / SAMPLE));
  for (let i = 1, n = 0; i < kept.length; i++) {
    if (kept[i] !== 1) continue;
    if (inSome[i] === 0) withoutComponent++;
    if (n++ % every === 0 && sample.length < SAMPLE) sample.push(b[i]!);
  }
  const describeMoment = (m: Moment) => ({ name: m.name, seq: m.seq, time: m.time, live: m.live });
  return {
    from: describeMoment(from),
    to: describeMoment(to),
    allocated,
    stillAlive,
    freed,
    byComponent: byComponent.sort((x, y) => y.count - x.count),
    withoutComponent,
    byKind,
    young,
    sample,
  };
}
