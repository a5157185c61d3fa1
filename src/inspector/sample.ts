/**
 * What the page shows now: `heap.stats()` plus what only the state holds (free indices, the age
 * histogram, component membership and query sizes), read without changing anything. Called
 * between frames only (from a timer or a request: JavaScript never runs one in the middle of a
 * frame), never from inside a collector call.
 *
 * Costs: O(young objects) for the age histogram (the nursery list), O(components + queries)
 * for the counts, except after a cycle's marking, when objects found dead are still members
 * until swept and the counts skip them (O(members)).
 */
import { componentBytes } from '../core/component-store.ts';
import {
  AGE_MASK,
  AGE_SHIFT,
  BOTH_MARKS,
  type HeapState,
  INDEX_PAGE_BITS,
  INDEX_QUEUES,
  MIXED_CLASS,
  NOT_STRONG,
} from '../core/state.ts';
import type { Heap, HeapStats } from '../heap.ts';

export interface Sample {
  /** Collector calls recorded so far: the frame number the page plots this sample at. */
  seq: number;
  /** Milliseconds since the inspector started. */
  time: number;
  stats: HeapStats;
  /**
   * Indices in the free queues (taken before the columns grow): freed ones, and those of the pages
   * carved so far that no object has held yet (core/free-list.ts).
   */
  free: number;
  /** Indices the columns hold room for past the pages carved. */
  unused: number;
  /** Young objects by minor collections survived (index = age); old objects are `stats.old`. */
  ages: number[];
  /** The card table: cards, and object indices per card. */
  cards: number;
  cardSize: number;
  /** Weak and ephemeron objects, old and young (those being made old in slices count once old). */
  weakObjects: number;
  /** Objects with a finalizer or an `onRemove` component, old and young. */
  finalizable: number;
  /** Open `scope()`s' rooted objects. */
  scoped: number;
  /** Members, fields, and the bytes `stats().bytes` counts for the component (core/component-store.ts `componentBytes`). */
  components: { name: string; members: number; fields: string[]; bytes: number }[];
  queries: { terms: string; size: number }[];
  /**
   * The pages of indices carved, by the slot counts they were carved for (core/free-list.ts: one
   * class of slot counts a page, so objects of one shape sit together), in class order; pages of
   * an older snapshot's heap, open to every slot count, as `'any'`.
   */
  pages: { slots: string; pages: number }[];
}

/** The slot counts index class `cls` holds (core/state.ts `indexClass`): '0', '1', '2', '3-4', '5-8', ... */
export function classSlots(cls: number): string {
  if (cls === MIXED_CLASS) return 'any';
  if (cls <= 2) return String(Math.max(0, cls));
  return `${2 ** (cls - 2) + 1}-${2 ** (cls - 1)}`;
}

export function takeSample(heap: Heap, s: HeapState, seq: number, time: number): Sample {
  const stats = heap.stats();
  const ages = [0, 0, 0, 0];
  // The nursery: young objects linked through `next`. Bounded by the young count, so a read
  // never loops whatever the state holds. Its weak objects are counted here: the young weak list
  // also holds members of `weakref` components, some more than once.
  let youngWeak = 0;
  for (let i = s.nurseryHead, left = s.young; i !== 0 && left > 0; i = s.next[i]!, left--) {
    ages[(s.flags[i]! & AGE_MASK) >> AGE_SHIFT]!++;
    if ((s.flags[i]! & NOT_STRONG) !== 0) youngWeak++;
  }
  // One bar per age a young object can have (0 to promoteAfter - 1), more only if some object has it.
  while (ages.length > s.promoteAfter && ages[ages.length - 1] === 0) ages.pop();
  // After a cycle's marking (finalize and sweep phases), objects found dead stay members until swept.
  const sweeping = s.liveMask !== BOTH_MARKS;
  const isLive = (index: number): boolean => (s.color[index]! & s.liveMask) !== 0;
  const components = s.components.list.map((c) => {
    let members = c.memberCount;
    if (sweeping) { for (let k = 0; k < c.memberCount; k++) if (!isLive(c.members[k]!)) members--; }
    return {
      name: c.name,
      members,
      fields: c.fields.map((f) => `${f.name}: ${f.type}${f.length > 1 ? `[${f.length}]` : ''}`),
      bytes: componentBytes(c, s.top),
    };
  });
  // O(pages carved): a byte each.
  const byClass = new Array<number>(INDEX_QUEUES).fill(0);
  for (let p = 0, last = (s.top - 1) >>> INDEX_PAGE_BITS; p <= last && p < s.pageClass.length; p++) {
    const cls = s.pageClass[p]!;
    if (cls < INDEX_QUEUES) byClass[cls]!++;
  }
  const pages = byClass.flatMap((count, cls) => count === 0 ? [] : [{ slots: classSlots(cls), pages: count }]);
  const queries = [...s.components.queries.values()].map((q) => {
    let size = q.count;
    if (sweeping) { for (let k = 0; k < q.count; k++) if (!isLive(q.dense[k]!)) size--; }
    const terms = [...q.all.map((c) => c.name), ...q.none.map((c) => `not(${c.name})`)].join(', ');
    return { terms, size };
  });
  return {
    seq,
    time,
    stats,
    free: s.top - 1 - s.live - s.retired,
    unused: s.columnLength - s.top,
    ages,
    cards: s.cards.length,
    cardSize: 2 ** s.cardShift,
    weakObjects: s.weakCount + youngWeak,
    finalizable: s.finalizableCount + s.youngFinalizableCount,
    scoped: s.scopeTop,
    components,
    queries,
    pages,
  };
}
