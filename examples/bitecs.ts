/**
 * A bitECS game adopting ecs-heap's collector (`ecs-heap/bitecs`): a level full of enemies, each
 * with two turrets, and a player firing homing missiles at them. The game never hunts down what a
 * dead enemy leaves behind: it only drops the enemy from the level's list, and `collect()` removes
 * the enemy and its turrets and clears the missiles' targets, before bitECS hands the id to a new
 * entity that a stale target would then name. Run with
 * `node --import tsx examples/bitecs.ts`, `npx bun examples/bitecs.ts` or `npx deno run -A examples/bitecs.ts`.
 */
import { addComponent, addEntity, createWorld, entityExists, hasComponent, query } from 'bitecs';
import { createCollector } from '../bitecs.ts'; // in your game: from 'ecs-heap/bitecs'

// ---- an ordinary bitECS game: components are plain SoA stores indexed by entity id ------------
const MAX = 10_000;
const world = createWorld();
const Level = {};
const Player = {};
const Enemy = {};
const Missile = {};
const Children = { list: [] as number[][] }; // a level's enemies, an enemy's turrets, a player's missiles
const Target = { eid: new Uint32Array(MAX) }; // what a homing missile flies at (0: nothing)

// ---- adopting the collector: these lines, and `collect()` once in a while ---------------------
const gc = createCollector(world, {
  refs: [
    { store: Children.list, many: true }, // a parent keeps its children alive
    { store: Target.eid, weak: true }, // a missile does not keep its target alive; reads 0 once it is gone
  ],
  roots: [Level, Player], // everything reachable from these stays
});

// A seeded PRNG (mulberry32), so every run prints the same story.
let seed = 7;
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;

function spawn(parent: number, ...components: object[]): number {
  const eid = addEntity(world);
  for (const c of components) addComponent(world, eid, c);
  Children.list[eid] = [];
  Target.eid[eid] = 0;
  if (parent !== 0) Children.list[parent]!.push(eid);
  return eid;
}
/** Dropping is all the game does: the collector finds out what else went with it. */
function drop(parent: number, child: number): void {
  const list = Children.list[parent]!;
  list.splice(list.indexOf(child), 1);
}

const level = spawn(0, Level);
const player = spawn(0, Player);
let homing = 0; // one missile we keep an eye on
let homingTarget = 0;

console.log('wave  enemies  missiles  removed  cleared targets  live entities  collect() ms');
for (let wave = 1; wave <= 8; wave++) {
  for (let i = 0; i < 25; i++) {
    const enemy = spawn(level, Enemy);
    spawn(enemy); // two turrets
    spawn(enemy);
  }
  for (let i = 0; i < 10; i++) {
    const missile = spawn(player, Missile);
    Target.eid[missile] = pick(Children.list[level]!);
    if (wave === 8 && homing === 0) (homing = missile, homingTarget = Target.eid[missile]!);
  }
  // Combat: some enemies die, some missiles hit. The game only drops them from their lists.
  for (const enemy of [...Children.list[level]!]) {
    if (random() < 0.45 || enemy === homingTarget) drop(level, enemy); // the homing missile's target dies
  }
  for (const missile of [...Children.list[player]!]) if (missile !== homing && random() < 0.5) drop(player, missile);

  const info = gc.collect();
  console.log(
    `${String(wave).padStart(4)}  ${String(query(world, [Enemy]).length).padStart(7)}  ` +
      `${String(query(world, [Missile]).length).padStart(8)}  ${String(info.freed).padStart(7)}  ` +
      `${String(info.cleared).padStart(15)}  ${String(info.live).padStart(13)}  ${info.ms.toFixed(3).padStart(12)}`,
  );
}

// Wave 9 arrives: 40 new enemies with their turrets. bitECS recycles the freshest removed ids first.
for (let i = 0; i < 40; i++) {
  const enemy = spawn(level, Enemy);
  spawn(enemy);
  spawn(enemy);
}
const what = !entityExists(world, homingTarget)
  ? 'nothing yet'
  : hasComponent(world, homingTarget, Enemy)
  ? 'a new enemy'
  : hasComponent(world, homingTarget, Missile)
  ? 'a new missile'
  : 'a new turret';
console.log(
  `\nIn wave 8, homing missile ${homing} flew at enemy ${homingTarget}, which died in that wave; ` +
    `collect() set the missile's Target.eid to ${Target.eid[homing]} (no entity).` +
    `\nIn wave 9, bitECS gave id ${homingTarget} to ${what}: had the field not been cleared, the missile ` +
    'would be chasing it now.',
);
