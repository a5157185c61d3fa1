/**
 * Killing is unlinking: `heap.destroy(unit)` takes a unit out of the game at once, whatever still
 * refers to it. A skirmish: two squads (lists of units), units that target enemies (a `ref`
 * field), a health column. A unit at 0 hp is destroyed on the spot: it leaves every query, every
 * target field naming it reads NULL, the squad list drops it, and its onRemove hook runs; its
 * index comes back at the next collection. Prints the fight round by round.
 *
 * Run: `node --import tsx examples/destroy.ts` (or `npx bun` / `npx deno run -A` the file).
 */
import { Heap, listItems, listLength, listPush, NULL, type Ref, StaleRefError } from '../mod.ts'; // in your game: from 'ecs-heap'

const heap = new Heap();
const fallen: string[] = [];
const Unit = heap.defineComponent({ hp: 'f32', attack: 'f32', target: 'ref' }, {
  name: 'Unit',
  // Runs as the unit is destroyed, while its fields can still be read (for a death effect, a log…).
  onRemove: (ref) => fallen.push(`${nameOf.get(ref)} (attack ${heap.getField(ref, Unit, 'attack')})`),
});
const nameOf = new Map<Ref, string>();

// Two squads: each a list object, pinned (a root). Lists are slots: `listPush` grows them.
const squads = [heap.alloc(), heap.alloc()];
for (const squad of squads) heap.pin(squad);
for (let k = 0; k < 4; k++) {
  for (const [side, squad] of squads.entries()) {
    const unit = heap.alloc();
    heap.add(unit, Unit, { hp: 20 + 5 * k, attack: 4 + k + side });
    nameOf.set(unit, `${side === 0 ? 'red' : 'blue'}-${k}`);
    listPush(heap, squad, unit);
  }
}
// Everyone targets the first enemy: several units hold a `ref` to the same one.
for (const [side, squad] of squads.entries()) {
  const enemies = listItems(heap, squads[1 - side]!);
  for (const unit of listItems(heap, squad)) heap.setField(unit, Unit, 'target', enemies[0]!);
}

const hp = Unit.hp; // a column: it never moves, keep it for the whole game
const attack = Unit.attack;
let firstDead: Ref = NULL;
for (let round = 1; round <= 12 && squads.every((squad) => listLength(heap, squad) > 0); round++) {
  // Every unit hits its target; a target destroyed since reads NULL, so pick a new one.
  for (const i of heap.query(Unit)) {
    const unit = heap.refAt(i);
    let target = heap.getField(unit, Unit, 'target');
    if (target === NULL) {
      const side = listItems(heap, squads[0]!).includes(unit) ? 0 : 1;
      target = listItems(heap, squads[1 - side]!)[0] ?? NULL;
      if (target === NULL) continue;
      heap.setField(unit, Unit, 'target', target);
    }
    hp[heap.index(target)]! -= attack[i]!;
  }
  // The dead leave the game now: no sweep of every list and field that might name them.
  const dead = [...heap.query(Unit)].filter((i) => hp[i]! <= 0).map((i) => heap.refAt(i));
  for (const unit of dead) {
    if (firstDead === NULL) firstDead = unit;
    heap.destroy(unit);
  }
  heap.tick(1); // the collector's share of the frame: it reclaims the destroyed units' indices
  console.log(
    `round ${round}: red ${listLength(heap, squads[0]!)}, blue ${listLength(heap, squads[1]!)} standing; ` +
      `${heap.query(Unit).length} in the query` + (dead.length > 0 ? `; fell: ${fallen.splice(0).join(', ')}` : ''),
  );
}

console.log(`stats: ${heap.stats().live} live, ${heap.stats().destroyed} destroyed awaiting a collection`);
heap.collect();
console.log(`after collect(): ${heap.stats().destroyed} awaiting; the indices are free again`);
try {
  heap.getField(firstDead, Unit, 'hp');
} catch (error) {
  if (!(error instanceof StaleRefError)) throw error;
  console.log(`a handle kept to the first unit that fell: ${error.message}`);
}
heap.verify();
