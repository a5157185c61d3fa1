/**
 * Run by test/shapes.test.ts in a fresh V8 process with `--allow-natives-syntax` (nothing else has
 * run in it, so the first heap made here is the first of the process). Prints one JSON object:
 * for each check, whether two values the collector's compiled code reads have the same hidden class
 * (V8's `%HaveSameMap`). Different classes mean code compiled on one kind of heap is thrown away
 * ("wrong map") the first time it meets the other, in a game's frames (core/shapes.ts).
 */
import { Heap, type Ref } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { recordList } from '../src/core/shapes.ts';

// Natives syntax is not TypeScript: compiled at run time, where the flag allows it.
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;
const objectElements = new Function('a', 'return %HasObjectElements(a)') as (a: unknown) => boolean;

const checks: Record<string, boolean> = {};

// Heaps made before any collection ran in this process: one never used again (objects of a class
// the engine replaced keep the old class until touched), and one whose first tick's report is kept.
const untouched = new Heap();
const early = new Heap();
const firstReport = early.tick(1);

// A busy heap: a component with `ref` and `weakref` fields, more than the few components that go
// without masks, a finalizer, a query, minors, a major cycle in slices and full collections, so
// every number field has held what it will hold (doubles among them).
const busy = new Heap({ nurserySize: 256, minHeapObjects: 512, growthPercent: 10 });
const Link = busy.defineComponent({ to: 'ref', seen: 'weakref', hp: 'f32' }, { name: 'Link' });
const tags = [0, 1, 2, 3, 4].map((k) => busy.defineComponent({ v: 'u8' }, { name: `Tag${k}` }));
const root = busy.alloc(4);
busy.pin(root);
let last: Ref = root;
for (let k = 0; k < 5000; k++) {
  const o = busy.alloc(2);
  busy.set(o, 0, last);
  if (k % 50 === 0) busy.add(o, Link, { to: last, seen: o, hp: 1 });
  if (k % 70 === 0) busy.add(o, tags[k % 5]!);
  if (k % 500 === 0) busy.setFinalizer(o, () => {});
  if (k % 10 === 0) busy.set(root, k % 4, o);
  last = o;
  if (k % 100 === 0) busy.tick(0.05);
}
busy.query(Link);
while (!busy.step(64)) { /* a cycle in small slices */ }
busy.collect();
const lateReport = busy.tick({ units: 100 });

// Made after all that: a plain heap, no component of any kind.
const plain = new Heap();
const p = stateOf(plain);
const b = stateOf(busy);
const u = stateOf(untouched);

for (
  const [name, before, after, used] of [
    ['heap state', u, p, b],
    ['pacer', u.pacer, p.pacer, b.pacer],
    ['codec', u.codec, p.codec, b.codec],
  ] as const
) {
  checks[`${name}: one class for heaps made before and after collections ran`] = sameMap(before, after) &&
    sameMap(after, used);
}
checks['tick report: one class for the first tick and later ones'] = sameMap(firstReport, lateReport);
const storeLists = ['list', 'withStrongRefs', 'withWeakRefs', 'strongRefFields', 'weakRefFields', 'refFields', 'masks'];
for (const name of storeLists) {
  const field = name as keyof typeof p.components;
  checks[`component store's ${name}: one class with and without components`] = sameMap(
    p.components[field],
    b.components[field],
  );
}
const linkData = b.components.list[Link.id]!;
const tagData = b.components.list[tags[0]!.id]!;
checks["component data's field lists: one class with and without ref fields"] = sameMap(
  tagData.strongRefs,
  linkData.strongRefs,
) &&
  sameMap(tagData.weakRefs, linkData.weakRefs) && sameMap(tagData.fields, linkData.fields) &&
  sameMap(tagData.queries, linkData.queries);
// A query built by a heap and one a restored heap rebuilt from bytes (io/load.ts): one class for
// the record and for its term lists, the empty `none` among them.
const saved = new Heap();
const Tag = saved.defineComponent({ v: 'u8' }, { name: 'Tag' });
saved.add(saved.alloc(0), Tag);
saved.query(Tag);
const restored = stateOf(Heap.restore(saved.snapshot()));
const builtQuery = [...stateOf(saved).components.queries.values()][0]!;
const restoredQuery = [...restored.components.queries.values()][0]!;
checks['query: one class for a built query and a restored one, and for their term lists'] =
  sameMap(builtQuery, restoredQuery) && sameMap(builtQuery.all, restoredQuery.all) &&
  sameMap(builtQuery.none, restoredQuery.none);
checks['recordList: object elements from the start'] = objectElements(recordList());

console.log(JSON.stringify(checks));
