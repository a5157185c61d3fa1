/**
 * ecs-heap basics: every core call once, in order, with what it prints. Run with
 * `node --import tsx examples/basics.ts`, `npx bun examples/basics.ts` or `npx deno run -A examples/basics.ts`.
 */
import { Heap, NULL, StaleRefError } from '../mod.ts'; // in your game: from 'ecs-heap'

const heap = new Heap();
const player = heap.alloc(2); // an object with 2 reference slots, both NULL
const sword = heap.alloc(0);
heap.set(player, 0, sword); // player.slot0 -> sword
console.log(
  `get(player, 0) is sword: ${heap.get(player, 0) === sword}, get(player, 1) is NULL: ${heap.get(player, 1) === NULL}`,
);

const ticket = heap.pin(player); // roots are pins and open scopes, nothing else
const junk = heap.alloc(1); // nothing points at it and it is not pinned
const info = heap.collect(); // frees junk; player and sword stay (sword because player points at it)
console.log(`collect() freed ${info.freed}, ${info.live} live, in ${info.ms.toFixed(3)} ms`);
console.log('isAlive player, sword, junk:', heap.isAlive(player), heap.isAlive(sword), heap.isAlive(junk));

// Inside scope(), new objects are roots until the function returns: a safe place to build things.
// To keep one afterwards, link it into something reachable (or pin it) before the scope ends.
const shield = heap.scope(() => {
  const made = heap.alloc(0);
  console.log('collect() inside scope freed', heap.collect().freed, '| shield alive:', heap.isAlive(made));
  return made;
});
console.log('after scope, collect() freed', heap.collect().freed, '| shield alive:', heap.isAlive(shield));

heap.unpin(ticket); // player is no longer a root, so neither it nor sword is reachable
console.log('after unpin, collect() freed', heap.collect().freed, '| live now:', heap.stats().live);
try {
  heap.get(player, 0);
} catch (error) {
  if (!(error instanceof StaleRefError)) throw error;
  console.log(`get(player, 0) threw ${error.name}: ${error.message}`);
}
