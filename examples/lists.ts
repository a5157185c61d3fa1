/**
 * Lists over slots: children and inventories, the shape games use most. A hero's inventory is a
 * list object (its slots are the items); a second, weak list remembers the items the hero has
 * seen without keeping them alive. Pushing grows the list by doubling; removing moves the last
 * item into the gap (swap-remove); an item destroyed or collected simply stops being an item.
 * Prints the inventory as it changes.
 *
 * Run: `node --import tsx examples/lists.ts` (or `npx bun` / `npx deno run -A` the file).
 */
import { Heap, listHas, listItems, listLength, listPush, listRemove, type Ref } from '../mod.ts'; // in your game: from 'ecs-heap'

const heap = new Heap();
const Item = heap.defineComponent({ weight: 'f32' }, { name: 'Item' });
const names = new Map<Ref, string>();
const item = (name: string, weight: number): Ref => {
  const ref = heap.alloc();
  heap.add(ref, Item, { weight });
  names.set(ref, name);
  return ref;
};
const show = (list: Ref): string => listItems(heap, list).map((ref) => names.get(ref)).join(', ') || '(empty)';

const hero = heap.alloc(1);
heap.pin(hero);
const inventory = heap.alloc(); // a list may start with no slots at all
heap.set(hero, 0, inventory); // the hero holds the inventory; the inventory holds its items
const seen = heap.alloc(0, 'weak'); // a weak list: remembers, keeps nothing alive
heap.pin(seen);

const [sword, shield, potion, map] = [item('sword', 3), item('shield', 5), item('potion', 0.5), item('map', 0.1)];
for (const it of [sword, shield, potion, map]) {
  listPush(heap, inventory, it);
  listPush(heap, seen, it);
}
console.log(
  `inventory: ${show(inventory)} (${listLength(heap, inventory)} items in ${heap.slotCount(inventory)} slots)`,
);

listRemove(heap, inventory, shield); // dropped: the last item (map) takes its place
console.log(`dropped the shield: ${show(inventory)}`);

heap.destroy(potion); // drunk: destroyed, so it is no item of any list any more
console.log(`drank the potion: ${show(inventory)}; has potion: ${listHas(heap, inventory, potion)}`);

const weight = Item.weight;
let carried = 0;
for (const it of listItems(heap, inventory)) carried += weight[heap.index(it)]!;
console.log(`carrying ${carried.toFixed(1)} kg`);

heap.collect(); // the dropped shield is referenced by nothing but the weak list: collected
console.log(`seen (a weak list) after collect(): ${show(seen)}`);
for (let k = 0; k < 10; k++) listPush(heap, inventory, item(`arrow-${k}`, 0.05));
console.log(`with 10 arrows: ${listLength(heap, inventory)} items in ${heap.slotCount(inventory)} slots`);
heap.verify();
