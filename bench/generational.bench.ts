/**
 * `generational`: what minor collections cost, what the generational barrier costs, and whether
 * the defaults (cardSize and promoteAfter, read from the library) are the right ones. Everything in
 * one run, as ratios.
 *
 * 1. minor vs full: an old generation of 10^6 tree nodes (4 slots, root pinned, `collect()`ed so
 *    every node is old) and 10^4 young objects; 1% of the old nodes (10^4 leaves) each point at a
 *    young one. Target: `minor()` at most 5% of a `collect()` of the same heap.
 * 2. scaling: `minor()` as the old generation grows 10^4 -> 10^6 with young objects and dirty cards
 *    fixed (should stay flat), and as the dirty cards grow 10 -> 10^4 (should be linear).
 * 3. barrier: the same `set()` loop on `generational: true` and `generational: false` heaps, for
 *    old->old and old->young stores, paired. Target: at most 15% slower.
 * 4. defaults: a sweep over cardSize (1, 8, 32, 128, 512) x promoteAfter (1, 2, 3) on a churn-like
 *    workload with a spread of lifetimes.
 * 5. churn with minors: the churn suite's workload (K short-lived 2-slot objects referencing a
 *    10^4-object world, `minor()` every round) against bitECS and the engine collecting the same
 *    churn of JavaScript objects, paired; the churn suite has the mitata rates and collect().
 *
 * Sections 1 and 2 run the fixture of bench/lib/gen-fixture.ts, whose comment says how every
 * measured minor does the same work. Only the collection is timed: the allocation and the stores
 * before it are untimed setup (mitata's manual timing, and `pairedStaged` for the ratios), so the
 * ratio compares collector work with collector work. The alternatives were worse: dropping the
 * old->young edges before the minor leaves nothing to mark through the cards (and lets the minor
 * take its no-young shortcut), and subtracting a separately timed allocate+link from
 * allocate+link+minor makes a small number out of the difference of two noisy ones.
 */
import { bench, group, summary } from 'mitata';
import type { Heap, RefArray } from '../mod.ts';
import { bitecsChurnRound, CHURN_WORLD, ecsChurnRound, jsChurnRound } from './lib/churn.ts';
import { DEFAULTS } from './lib/defaults.ts';
import { ms, pow10, ratio, sig } from './lib/format.ts';
import { collectStaged, type GenFixture, genFixture, minorStaged, ownerNodes, steady } from './lib/gen-fixture.ts';
import { firstLeaf, makeGraph, prng } from './lib/graphs.ts';
import { buildHeap, exerciseCollector, handlesOf } from './lib/heaps.ts';
import { measure, p50, stagedBench, type Stat } from './lib/measure.ts';
import { paired, pairedData, pairedStaged } from './lib/paired.ts';
import { atMost, between, type Ctx, report, type Section, type SuiteReport, type Target } from './lib/report.ts';
import { v8MinorGc } from './lib/runtime.ts';
import { median } from './lib/stats.ts';

const YOUNG = 1e4;

/** Sizes and budgets of one run. */
interface Plan {
  quick: boolean;
  oldMax: number;
  oldSizes: number[];
  dirtyCounts: number[];
  /** Dirty cards while the old generation grows. */
  scaleDirty: number;
  onePercent: number;
  churnKs: number[];
  budget: number;
}

function plan(ctx: Ctx): Plan {
  const quick = ctx.quick;
  const oldMax = quick ? 1e5 : 1e6;
  return {
    quick,
    oldMax,
    oldSizes: quick ? [1e4, 1e5] : [1e4, 1e5, 1e6],
    dirtyCounts: quick ? [10, 100, 1000] : [10, 100, 1000, 1e4],
    scaleDirty: 100,
    onePercent: oldMax / 100,
    churnKs: quick ? [1e3, 1e4] : [1e3, 1e4, 1e5],
    budget: quick ? 1000 : 2500,
  };
}

const aName = (p: Plan, what: string) => `${what} ${pow10(p.oldMax)} old`;
const oldName = (p: Plan, n: number) => `minor ${pow10(n)} old, ${p.scaleDirty} dirty`;
const dirtyName = (p: Plan, d: number) => `minor ${pow10(p.oldMax)} old, ${pow10(d)} dirty`;
const barrierName = (gen: boolean, kind: string) => `set() ${kind}, generational: ${gen}`;

/** A minor-vs-collect fixture in its steady state: `layout` of the 1% owners, `cardSize` (default: the library's). */
function sectionOneFixture(
  p: Plan,
  kind: 'minor' | 'collect',
  layout: 'random' | 'clustered',
  cardSize?: number,
): GenFixture {
  const owners = ownerNodes(p.oldMax, p.onePercent, layout);
  return steady(genFixture(p.oldMax, owners, YOUNG, cardSize === undefined ? {} : { cardSize }), YOUNG, kind);
}

// ---- section 3: the barrier --------------------------------------------------------------

const BARRIER_WORLD = 1e5;
const BARRIER_STORES = 1e4;

interface BarrierFixture {
  oldToOld: () => unknown;
  oldToYoung: () => unknown;
}

/**
 * An all-old tree of 10^5 nodes plus 10^4 objects allocated after its `collect()` (young when
 * generational; plain objects otherwise), and 10^4 stores into random leaf slots: of random old
 * nodes, or of the newer objects. The same stores, in the same order, on both kinds of heap.
 */
function barrierFixture(generational: boolean): BarrierFixture {
  const n = BARRIER_WORLD;
  const heap = buildHeap(makeGraph('tree', n), { initialCapacity: n + YOUNG + 1, generational });
  heap.collect();
  const world = handlesOf(heap, n);
  const young = new Float64Array(YOUNG) as RefArray;
  for (let j = 0; j < YOUNG; j++) young[j] = heap.alloc(2);
  const rand = prng(0xba7);
  const first = firstLeaf(n);
  const owners = new Float64Array(BARRIER_STORES) as RefArray;
  const slots = new Uint8Array(BARRIER_STORES);
  const oldTargets = new Float64Array(BARRIER_STORES) as RefArray;
  const youngTargets = new Float64Array(BARRIER_STORES) as RefArray;
  for (let j = 0; j < BARRIER_STORES; j++) {
    owners[j] = world[first + Math.floor(rand() * (n - first))]!;
    slots[j] = Math.floor(rand() * 4);
    oldTargets[j] = world[Math.floor(rand() * n)]!;
    youngTargets[j] = young[Math.floor(rand() * YOUNG)]!;
  }
  const stores = (targets: RefArray) => () => {
    for (let j = 0; j < BARRIER_STORES; j++) heap.set(owners[j]!, slots[j]!, targets[j]!);
    return heap;
  };
  return { oldToOld: stores(oldTargets), oldToYoung: stores(youngTargets) };
}

// ---- section 4: the defaults sweep -------------------------------------------------------

const SWEEP_WORLD = 1e5;
const SWEEP_K = 1e4;
/** Of each round's K objects: 1% stored into random world leaves (live ~3000 rounds)... */
const SWEEP_LONG = 0.01;
/** ...10% into 4000 slots of 1000 evenly spread leaves, 1000 a round (geometric, mean 4 rounds)... */
const SWEEP_MEDIUM = 0.1;
const SWEEP_MEDIUM_HOLDERS = 1000;
// ...and the rest die at once.
/**
 * The library's default and coarser cards. (The default has been 1 since the precise remembered
 * set; until session 18 this list was 8-512 only, and the sweep failed looking for the default.)
 */
const CARD_SIZES = [...new Set([DEFAULTS.cardSize, 1, 8, 32, 128, 512])].sort((a, b) => a - b);
const PROMOTE_AFTER = [1, 2, 3];

interface SweepFixture {
  cardSize: number;
  promoteAfter: number;
  /** One round: K allocations and stores, `minor()`, and `collect()` once the pacer would start a major. */
  round: () => void;
  minorNs: number[];
  majors: number;
  peakLive: number;
  heap: Heap;
}

function sweepFixture(cardSize: number, promoteAfter: number): SweepFixture {
  const n = SWEEP_WORLD;
  const heap = buildHeap(makeGraph('tree', n), { initialCapacity: 2 * n, cardSize, promoteAfter });
  heap.collect();
  const world = handlesOf(heap, n);
  const first = firstLeaf(n);
  const leaves = n - first;
  const stride = Math.floor(leaves / SWEEP_MEDIUM_HOLDERS);
  const holders = new Float64Array(SWEEP_MEDIUM_HOLDERS) as RefArray;
  for (let k = 0; k < SWEEP_MEDIUM_HOLDERS; k++) holders[k] = world[first + k * stride]!;
  const rand = prng(0x5eeb); // the same sequence in every configuration
  const fx: SweepFixture = { cardSize, promoteAfter, round: () => {}, minorNs: [], majors: 0, peakLive: 0, heap };
  fx.round = () => {
    for (let j = 0; j < SWEEP_K; j++) {
      const o = heap.alloc(2);
      heap.set(o, 0, world[Math.floor(rand() * n)]!);
      heap.set(o, 1, world[Math.floor(rand() * n)]!);
      const u = rand();
      if (u < SWEEP_LONG) {
        let leaf = Math.floor(rand() * leaves);
        if (leaf % stride === 0) leaf++; // not a medium holder
        heap.set(world[first + leaf]!, Math.floor(rand() * 4), o);
      } else if (u < SWEEP_LONG + SWEEP_MEDIUM) {
        heap.set(holders[Math.floor(rand() * SWEEP_MEDIUM_HOLDERS)]!, Math.floor(rand() * 4), o);
      }
    }
    const t0 = performance.now();
    heap.minor();
    fx.minorNs.push((performance.now() - t0) * 1e6);
    const st = heap.stats();
    if (st.old >= st.nextMajorAt) {
      heap.collect();
      fx.majors++;
    }
    if (st.live > fx.peakLive) fx.peakLive = st.live;
  };
  return fx;
}

interface SweepResult {
  cardSize: number;
  promoteAfter: number;
  /** Nanoseconds per round, over all measured rounds (majors included). */
  roundNs: number;
  /** This configuration's time / the defaults' time, per block of rounds. */
  blockRatios: number[];
  minorP50Ns: number;
  majors: number;
  peakLive: number;
}

/**
 * Every configuration on its own identical heap, in blocks of `perBlock` rounds: each block runs
 * every configuration for `perBlock` rounds in turn, the order rotating each block, so load from
 * other processes comes and goes across all of them alike. Blocks, not single rounds: switching
 * heaps every round leaves each one's columns out of the caches, which measured minors 2-5x slower
 * than a single heap gets them (and penalizes most the configurations that touch most memory);
 * within a block only the first round starts cold. Totals, not medians: the occasional major
 * collection is part of what a configuration costs.
 */
function runSweep(ctx: Ctx, warm: number, blocks: number, perBlock: number): SweepResult[] {
  const fxs: SweepFixture[] = [];
  for (const c of CARD_SIZES) for (const p of PROMOTE_AFTER) fxs.push(sweepFixture(c, p));
  const base = fxs.findIndex((f) => f.cardSize === DEFAULTS.cardSize && f.promoteAfter === DEFAULTS.promoteAfter);
  for (const f of fxs) for (let r = 0; r < warm; r++) f.round();
  for (const f of fxs) {
    f.minorNs.length = 0;
    f.majors = 0;
  }
  const total = new Float64Array(fxs.length);
  const block = new Float64Array(fxs.length);
  const blockRatios: number[][] = fxs.map(() => []);
  for (let b = 0; b < blocks; b++) {
    for (let j = 0; j < fxs.length; j++) {
      const k = (b + j) % fxs.length;
      const f = fxs[k]!;
      const t0 = performance.now();
      for (let r = 0; r < perBlock; r++) f.round();
      block[k] = (performance.now() - t0) * 1e6;
      total[k] += block[k]!;
    }
    for (let k = 0; k < fxs.length; k++) blockRatios[k]!.push(block[k]! / block[base]!);
    if (b % 5 === 4) ctx.log(`[bench] generational: defaults sweep, block ${b + 1}/${blocks}`);
  }
  const rounds = blocks * perBlock;
  return fxs.map((f, k) => ({
    cardSize: f.cardSize,
    promoteAfter: f.promoteAfter,
    roundNs: total[k]! / rounds,
    blockRatios: blockRatios[k]!,
    minorP50Ns: median(f.minorNs),
    majors: f.majors,
    peakLive: f.peakLive,
  }));
}

function measureMedians(ctx: Ctx, p: Plan): Promise<Map<string, Stat>> {
  return measure(ctx, `generational (${ctx.label})`, () => {
    group(`minor() vs collect(): ${pow10(p.oldMax)} old tree nodes, ${pow10(YOUNG)} young, 1% of old -> young`, () => {
      summary(() => {
        stagedBench(aName(p, 'collect()'), () => collectStaged('', sectionOneFixture(p, 'collect', 'random')));
        stagedBench(aName(p, 'minor() random'), () => minorStaged('', sectionOneFixture(p, 'minor', 'random')));
        stagedBench(aName(p, 'minor() clustered'), () => minorStaged('', sectionOneFixture(p, 'minor', 'clustered')));
        stagedBench(
          aName(p, 'minor() random cardSize 32'),
          () => minorStaged('', sectionOneFixture(p, 'minor', 'random', 32)),
        );
      });
    });
    group(`minor() as the old generation grows: ${pow10(YOUNG)} young, ${p.scaleDirty} dirty cards`, () => {
      for (const n of p.oldSizes) {
        stagedBench(oldName(p, n), () => {
          const owners = ownerNodes(n, p.scaleDirty, 'spread');
          return minorStaged('', steady(genFixture(n, owners, YOUNG), YOUNG, 'minor'));
        });
      }
    });
    group(`minor() as dirty cards grow: ${pow10(p.oldMax)} old, ${pow10(YOUNG)} young`, () => {
      for (const d of p.dirtyCounts) {
        stagedBench(dirtyName(p, d), () => {
          const owners = ownerNodes(p.oldMax, d, 'spread');
          return minorStaged('', steady(genFixture(p.oldMax, owners, YOUNG), YOUNG, 'minor'));
        });
      }
    });
    group(`barrier: ${pow10(BARRIER_STORES)} set() into old objects, generational on and off`, () => {
      for (const kind of ['old->old', 'old->young'] as const) {
        for (const gen of [false, true]) {
          bench(barrierName(gen, kind), function* () {
            const fx = barrierFixture(gen);
            yield kind === 'old->old' ? fx.oldToOld : fx.oldToYoung;
          });
        }
      }
    });
  });
}

// ---- 1. minor vs collect, paired -------------------------------------------------------------

function minorVsCollectSection(ctx: Ctx, p: Plan, stats: Map<string, Stat>): Section {
  ctx.log('[bench] generational: paired, minor() vs collect()');
  const layouts: { layout: 'random' | 'clustered'; cardSize: number; name: string; fx: GenFixture }[] = [
    {
      layout: 'random',
      cardSize: DEFAULTS.cardSize,
      name: 'minor() random',
      fx: sectionOneFixture(p, 'minor', 'random'),
    },
    {
      layout: 'clustered',
      cardSize: DEFAULTS.cardSize,
      name: 'minor() clustered',
      fx: sectionOneFixture(p, 'minor', 'clustered'),
    },
    {
      layout: 'random',
      cardSize: 32,
      name: 'minor() random cardSize 32',
      fx: sectionOneFixture(p, 'minor', 'random', 32),
    },
  ];
  const pair = pairedStaged([
    collectStaged('collect()', sectionOneFixture(p, 'collect', 'random')),
    ...layouts.map((l) => minorStaged(l.name, l.fx)),
  ], p.quick ? 1500 : 4000);
  const collectNs = p50(stats, aName(p, 'collect()'));
  const targets: Target[] = [];
  const rows = layouts.map((l, k) => {
    const r = pair.ratios[k + 1]!;
    targets.push(atMost(
      `minor ${pow10(p.oldMax)} old + ${
        pow10(YOUNG)
      } young, 1% old->young ${l.layout}, cardSize ${l.cardSize} (${ctx.label}): ` +
        'minor() / collect() (paired)',
      r,
      0.05,
    ));
    return [
      l.layout,
      String(l.cardSize) + (l.cardSize === DEFAULTS.cardSize ? ' (default)' : ''),
      pow10(p.onePercent),
      String(l.fx.dirtyCards),
      String(l.fx.dirtyCards * l.cardSize),
      ms(p50(stats, aName(p, l.name))),
      ms(collectNs),
      `${sig((p50(stats, aName(p, l.name)) / collectNs) * 100)}%`,
      `${sig(r * 100)}%`,
    ];
  });
  return {
    tables: [{
      title: `generational: minor() vs collect(), ${pow10(p.oldMax)} old tree nodes + ${
        pow10(YOUNG)
      } young, 1% of old nodes point at a young one (${ctx.label} ${ctx.runtimeVersion})`,
      columns: [
        'old->young layout',
        'cardSize',
        'old->young edges',
        'dirty cards',
        'old objects in them',
        'minor() ms',
        'collect() ms',
        'minor/collect (medians)',
        'minor/collect (paired)',
      ],
      rows,
    }],
    targets,
    ratios: layouts.map((l, k) => ({
      name: `minor ${
        pow10(p.oldMax)
      } old, 1% old->young ${l.layout}, cardSize ${l.cardSize} (${ctx.label}): minor() / collect(), time, paired`,
      value: pair.ratios[k + 1]!,
    })),
    notes: [
      `minor vs collect: one round allocates ${pow10(YOUNG)} young 2-slot objects in ${
        pow10(p.onePercent)
      } chains and stores each chain's head into slot 0 of one of ${
        pow10(p.onePercent)
      } old leaves (1% of the old nodes), which turns the previous round's young into garbage; then the timed ` +
      'minor() (or collect()). Only the collection is timed; every measured minor marks the same young ' +
      'through the same dirty cards and frees the same number (see bench/lib/gen-fixture.ts). ' +
      "random: the 1% are uniform random leaves; clustered: the first 1% of the leaves, side by side. 'old objects " +
      "in them' is what a minor scans as roots: every live old object of a dirty card. The cardSize 32 row (the earlier default) is the " +
      'random layout on a heap with 32-object cards (its collect() does the same work as the default heap). ' +
      'Times: mitata medians, each collection run back to back on its own heap (caches warm). ' +
      'minor/collect (paired): the heaps take turns, so each collection starts with caches holding another ' +
      'heap (as after a frame of game code); the target is judged on it.',
    ],
    data: {
      minorVsCollect: {
        paired: pairedData(pair, 'timeOverCollect'),
        dirtyCards: Object.fromEntries(layouts.map((l) => [l.name, l.fx.dirtyCards])),
      },
    },
  };
}

// ---- 2. scaling, paired --------------------------------------------------------------------

function scalingSection(ctx: Ctx, p: Plan, stats: Map<string, Stat>): Section {
  ctx.log('[bench] generational: paired, minor() as the old generation grows');
  const oldFx = p.oldSizes.map((n) =>
    steady(genFixture(n, ownerNodes(n, p.scaleDirty, 'spread'), YOUNG), YOUNG, 'minor')
  );
  const pairOld = pairedStaged(oldFx.map((fx, k) => minorStaged(oldName(p, p.oldSizes[k]!), fx)), p.budget);
  oldFx.length = 0;
  ctx.log('[bench] generational: paired, minor() as dirty cards grow');
  const dirtyFx = p.dirtyCounts.map((d) =>
    steady(genFixture(p.oldMax, ownerNodes(p.oldMax, d, 'spread'), YOUNG), YOUNG, 'minor')
  );
  const dirtySeen = dirtyFx.map((fx) => fx.dirtyCards);
  const pairDirty = pairedStaged(dirtyFx.map((fx, k) => minorStaged(dirtyName(p, p.dirtyCounts[k]!), fx)), p.budget);
  dirtyFx.length = 0;

  const flat = pairOld.ratios[pairOld.ratios.length - 1]!;
  // Marginal nanoseconds per dirty card between successive counts, from the paired medians.
  const dm = pairDirty.medians;
  const dc = p.dirtyCounts;
  // Linear: the cost per card over the last step (1000 -> 10^4) against the cost per card from the
  // first count to the one before the last (10 -> 1000); both spans are ~10^3 cards or more.
  const last = dc.length - 1;
  const slopeHigh = (dm[last]! - dm[last - 1]!) / (dc[last]! - dc[last - 1]!);
  const slopeLow = (dm[last - 1]! - dm[0]!) / (dc[last - 1]! - dc[0]!);
  const linearity = slopeHigh / slopeLow;
  return {
    tables: [
      {
        title: `generational: minor() as the old generation grows, ${
          pow10(YOUNG)
        } young, ${p.scaleDirty} dirty cards (${ctx.label})`,
        columns: ['old objects', 'minor() ms', 'minor() ms (paired)', `vs ${pow10(p.oldSizes[0]!)} old (paired)`],
        rows: p.oldSizes.map((
          n,
          k,
        ) => [pow10(n), ms(p50(stats, oldName(p, n))), ms(pairOld.medians[k]!), ratio(pairOld.ratios[k]!)]),
      },
      {
        title: `generational: minor() as dirty cards grow, ${pow10(p.oldMax)} old, ${
          pow10(YOUNG)
        } young (${ctx.label})`,
        columns: [
          'old->young edges',
          'dirty cards',
          'minor() ms',
          'minor() ms (paired)',
          `vs ${dc[0]} (paired)`,
          'µs per added card',
        ],
        rows: dc.map((d, k) => [
          pow10(d),
          String(dirtySeen[k]),
          ms(p50(stats, dirtyName(p, d))),
          ms(dm[k]!),
          ratio(pairDirty.ratios[k]!),
          k === 0 ? '' : sig((dm[k]! - dm[k - 1]!) / (d - dc[k - 1]!) / 1e3),
        ]),
      },
    ],
    targets: [
      atMost(
        `minor with ${pow10(p.oldMax)} old / with ${
          pow10(p.oldSizes[0]!)
        } old, young and dirty cards fixed (${ctx.label}): flat (paired)`,
        flat,
        1.5,
      ),
      between(
        `minor cost per dirty card, ${pow10(dc[last - 1]!)}->${pow10(dc[last]!)} cards / ${dc[0]}->${
          pow10(dc[last - 1]!)
        } cards (${ctx.label}): linear`,
        linearity,
        0.5,
        2,
      ),
    ],
    notes: [
      `scaling: the same rounds as above with the old->young edges evenly spread over the leaves (one per card): ` +
      `${pow10(YOUNG)} young in ${p.scaleDirty} chains while the old generation grows; ${
        pow10(YOUNG)
      } young in as many ` +
      "chains as there are edges while the dirty cards grow. 'µs per added card': the paired medians' difference " +
      'over the cards added since the row above. Flat means a 100x larger old generation costs the minor at most ' +
      "1.5x (the young objects' pointers into the old generation read its flags, so cache misses grow with it); " +
      'linear means the cost per card over the last step is within 2x of the cost per card before it.',
    ],
    data: {
      scaling: {
        oldSizes: p.oldSizes,
        pairedOld: pairedData(pairOld, 'ratios'),
        dirtyCounts: dc,
        dirtyCardsSeen: dirtySeen,
        pairedDirty: pairedData(pairDirty, 'ratios'),
        nsPerCardHigh: slopeHigh,
        nsPerCardLow: slopeLow,
      },
    },
  };
}

// ---- 3. barrier, paired --------------------------------------------------------------------

function barrierSection(ctx: Ctx, p: Plan, stats: Map<string, Stat>): Section {
  const rows: string[][] = [];
  const targets: Target[] = [];
  const data: Record<string, unknown>[] = [];
  for (const kind of ['old->old', 'old->young'] as const) {
    ctx.log(`[bench] generational: paired, barrier ${kind}`);
    const pick = (fx: BarrierFixture) => (kind === 'old->old' ? fx.oldToOld : fx.oldToYoung);
    const pair = paired([
      { name: 'generational: false', fn: pick(barrierFixture(false)) },
      { name: 'generational: true', fn: pick(barrierFixture(true)) },
    ], p.quick ? 800 : 1500);
    const r = pair.ratios[1]!;
    rows.push([
      kind,
      sig(p50(stats, barrierName(false, kind)) / BARRIER_STORES),
      sig(p50(stats, barrierName(true, kind)) / BARRIER_STORES),
      ratio(r),
    ]);
    data.push({ kind, rounds: pair.rounds, medianNs: pair.medians, onOverOff: r });
    targets.push(atMost(`barrier ${kind} set() (${ctx.label}): generational true / false (paired)`, r, 1.15));
  }
  return {
    tables: [{
      title: `generational: set() with and without the generational barrier, ${
        pow10(BARRIER_STORES)
      } stores into random leaves of a ${pow10(BARRIER_WORLD)}-node old tree (${ctx.label})`,
      columns: ['stores', 'generational: false ns/set', 'generational: true ns/set', 'true/false (paired)'],
      rows,
    }],
    targets,
    notes: [
      'barrier: the same 10^4 set() calls (random leaf, random slot; targets: random old nodes, or 10^4 objects ' +
      'allocated after the collect(), young when generational) on two identical heaps but for `generational`. ' +
      'ns/set: mitata medians / 10^4; true/false: paired. Both heaps run the same set() code: the difference is ' +
      "the barrier's card marking (the first old->young store into a card dirties it; no minor runs, so cards " +
      'stay dirty).',
    ],
    data: { barrier: data },
  };
}

// ---- 4. defaults sweep ---------------------------------------------------------------------

function sweepSection(ctx: Ctx, p: Plan): Section {
  ctx.log('[bench] generational: defaults sweep (cardSize x promoteAfter), in blocks');
  const perBlock = 20;
  const blocks = p.quick ? 6 : 25;
  const sweepRounds = blocks * perBlock;
  const sweep = runSweep(ctx, p.quick ? 20 : 40, blocks, perBlock);
  const isDefault = (s: SweepResult) => s.cardSize === DEFAULTS.cardSize && s.promoteAfter === DEFAULTS.promoteAfter;
  const baseRound = sweep.find(isDefault)!;
  const totalRatio = (s: SweepResult) => s.roundNs / baseRound.roundNs;
  const best = sweep.reduce((a, b) => (totalRatio(b) < totalRatio(a) ? b : a));
  const fasterBlocks = (s: SweepResult) => s.blockRatios.filter((r) => r < 1).length;
  return {
    tables: [{
      title: `generational: defaults sweep on a churn-like workload, ${pow10(SWEEP_K)} objects a round, world ${
        pow10(SWEEP_WORLD)
      }, ${sweepRounds} rounds (${ctx.label})`,
      columns: [
        'cardSize',
        'promoteAfter',
        'ms/round',
        'vs defaults (total)',
        'vs defaults (median block)',
        'blocks faster',
        'minor p50 ms',
        'majors',
        'peak live',
      ],
      rows: sweep.map((s) => [
        String(s.cardSize) + (s.cardSize === DEFAULTS.cardSize ? ' (default)' : ''),
        String(s.promoteAfter) + (s.promoteAfter === DEFAULTS.promoteAfter ? ' (default)' : ''),
        ms(s.roundNs),
        ratio(totalRatio(s)),
        ratio(median(s.blockRatios)),
        s === baseRound ? '' : `${fasterBlocks(s)}/${blocks}`,
        ms(s.minorP50Ns),
        String(s.majors),
        String(s.peakLive),
      ]),
    }],
    ratios: [{
      name: `defaults sweep (${ctx.label}): fastest configuration's time / the defaults' time`,
      value: totalRatio(best),
    }],
    notes: [
      `defaults sweep: each round allocates ${pow10(SWEEP_K)} 2-slot objects pointing at world nodes; ${
        SWEEP_LONG * 100
      }% are stored into random world leaf slots (live ~3000 rounds), ${
        SWEEP_MEDIUM * 100
      }% into the 4000 slots of ${SWEEP_MEDIUM_HOLDERS} evenly spread leaves (overwritten at random: ` +
      'geometric lifetimes, mean 4 rounds), the rest die at once; then minor(), and collect() whenever stats().old ' +
      `reaches stats().nextMajorAt (growthPercent ${DEFAULTS.growthPercent}, the default). ms/round includes the majors. The 12 ` +
      `configurations run on identical heaps in blocks of ${perBlock} rounds, taking turns (see runSweep); ` +
      "'blocks faster': blocks in which the configuration took less time than the defaults " +
      `(cardSize ${DEFAULTS.cardSize}, promoteAfter ${DEFAULTS.promoteAfter}, read from the library). ` +
      `Fastest in total: cardSize ${best.cardSize}, promoteAfter ${best.promoteAfter} (${
        ratio(totalRatio(best))
      } of the defaults' time${best === baseRound ? '' : `, faster in ${fasterBlocks(best)} of ${blocks} blocks`}).`,
    ],
    data: {
      defaultsSweep: {
        rounds: sweepRounds,
        perBlock,
        results: sweep,
        best: { cardSize: best.cardSize, promoteAfter: best.promoteAfter },
      },
    },
  };
}

// ---- 5. churn with minors, paired ----------------------------------------------------------

function churnSection(ctx: Ctx, p: Plan): Section {
  const minorGc = v8MinorGc(ctx.runtime);
  const rows: string[][] = [];
  const data: Record<string, unknown>[] = [];
  for (const k of p.churnKs) {
    ctx.log(`[bench] generational: churn with minor(), K=${pow10(k)}, paired`);
    const entries = [
      { name: 'ecs-heap minor()', fn: ecsChurnRound(k, 'minor', true) },
      { name: 'bitECS', fn: bitecsChurnRound(k) },
      { name: 'JS objects', fn: jsChurnRound(k) },
    ];
    if (minorGc !== null) entries.push({ name: 'JS objects + V8 minor gc', fn: jsChurnRound(k, minorGc) });
    const pair = paired(entries, p.quick ? 800 : 1500);
    const rate = (j: number) => k / (pair.medians[j]! / 1e9);
    // Paired ratios are time(entry) / time(ecs-heap); ecs-heap's rate over an entry's is that ratio.
    rows.push([
      pow10(k),
      sig(rate(0) / 1e6),
      sig(rate(1) / 1e6),
      sig(rate(2) / 1e6),
      minorGc === null ? 'n/a' : sig(rate(3) / 1e6),
      ratio(pair.ratios[1]!),
      ratio(pair.ratios[2]!),
      minorGc === null ? 'n/a' : ratio(pair.ratios[3]!),
    ]);
    data.push({ k, ...pairedData(pair, 'timeOverEcsHeap') });
  }
  return {
    tables: [{
      title: `generational: churn with minor() every round, objects created + destroyed per second (millions), world ${
        pow10(CHURN_WORLD)
      } (${ctx.label})`,
      columns: [
        'K per round',
        'ecs-heap minor()',
        'bitECS',
        'JS objects',
        'JS + V8 minor gc',
        'minor()/bitECS',
        'minor()/JS',
        'minor()/JS + minor gc',
      ],
      rows,
    }],
    notes: [
      "churn with minors: the churn suite's round (K allocs, 2 set() each, then minor(), which frees all K), paired " +
      "with bitECS's addEntity + removeEntity and with the engine allocating the same K { a, b } objects: 'JS " +
      "objects' keeps them until the next round overwrites them and lets the engine collect when it decides (as " +
      "the churn suite does); 'JS + V8 minor gc' drops them and forces a scavenge (gc({ type: 'minor' })) every " +
      'round, the same work as minor(). Rates from the paired medians; ratios are paired (how many times faster ' +
      'ecs-heap is). The churn suite has the mitata rates and collect() every round.' +
      (minorGc === null ? ` No synchronous young-generation GC is exposed in ${ctx.runtime}: that column is n/a.` : ''),
    ],
    data: { churn: data },
  };
}

// ---- the suite -------------------------------------------------------------------------------

export async function generationalSuite(ctx: Ctx): Promise<SuiteReport> {
  const p = plan(ctx);
  exerciseCollector();
  const stats = await measureMedians(ctx, p);
  return report('generational', ctx, [
    minorVsCollectSection(ctx, p, stats),
    scalingSection(ctx, p, stats),
    barrierSection(ctx, p, stats),
    sweepSection(ctx, p),
    churnSection(ctx, p),
    { data: { stats: Object.fromEntries(stats) } },
  ]);
}
