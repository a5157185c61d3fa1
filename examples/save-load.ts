/**
 * Save games without rewiring: `heap.snapshot()` saves the whole heap, `heap.load(bytes)` puts it
 * back into the same heap. Every component object, column and closure that holds the heap stays
 * valid, so the game's systems carry on untouched (`Heap.restore` makes a new heap instead, whose
 * component objects are new). Prints the world before saving, after playing on, and after loading.
 *
 * Run: `node --import tsx examples/save-load.ts` (or `npx bun` / `npx deno run -A` the file).
 */
import { Heap, listItems, listPush, type Ref, SnapshotError } from '../mod.ts'; // in your game: from 'ecs-heap'

const heap = new Heap({ maxObjects: 10_000 });
const Position = heap.defineComponent({ x: 'f32', y: 'f32' }, { name: 'Position' });
const Velocity = heap.defineComponent({ vx: 'f32', vy: 'f32' }, { name: 'Velocity' });

// A system: a closure over the heap and the columns, set up once at start-up.
const x = Position.x, y = Position.y, vx = Velocity.vx, vy = Velocity.vy;
const move = (): void => {
  for (const i of heap.query(Position, Velocity)) {
    x[i]! += vx[i]!;
    y[i]! += vy[i]!;
  }
};
const describe = (): string =>
  listItems(heap, world).map((ship) => `(${heap.getField(ship, Position, 'x')}, ${heap.getField(ship, Position, 'y')})`)
    .join(' ');

const world = heap.alloc();
heap.pin(world);
for (let k = 0; k < 3; k++) {
  const ship = heap.alloc();
  heap.add(ship, Position, { x: k * 10, y: 0 });
  heap.add(ship, Velocity, { vx: 1, vy: k });
  listPush(heap, world, ship);
}
const firstShip: Ref = listItems(heap, world)[0]!;
move();
console.log(`saved:     ${describe()}`);
const save = heap.snapshot(); // bytes: write them to a file, localStorage, a server…

for (let frame = 0; frame < 5; frame++) move();
heap.destroy(firstShip);
console.log(`played on: ${describe()} (the first ship destroyed)`);

heap.load(save); // the same heap, as it was: handles, columns, queries and systems all still work
console.log(`loaded:    ${describe()}; the first ship is back: ${heap.isAlive(firstShip)}`);
move(); // the system made before the save, untouched, moves the loaded ships
console.log(`moved:     ${describe()}`);

// A save of another game (other components) is refused, and the heap is left as it was.
const other = new Heap({ maxObjects: 10_000 });
other.defineComponent({ hp: 'f32' }, { name: 'Health' });
try {
  heap.load(other.snapshot());
} catch (error) {
  if (!(error instanceof SnapshotError)) throw error;
  console.log(`another game's save: ${error.message.split(' (')[0]}`);
}
heap.verify();
