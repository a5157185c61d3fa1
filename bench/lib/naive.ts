/**
 * The naive anchor: an object-per-entity mark-sweep in TypeScript (entity objects with `marked`
 * and a `children` array, an explicit array stack, sweep by filtering the entity list), the way
 * a game without ecs-heap might write its own collector.
 */
import { type Graph, SLOTS } from './graphs.ts';

export class Entity {
  marked = false;
  children: Entity[] = [];
}

export interface NaiveWorld {
  entities: Entity[];
  roots: Entity[];
  stack: Entity[];
}

export function buildNaive(g: Graph): NaiveWorld {
  const entities: Entity[] = [];
  for (let i = 0; i < g.n; i++) entities.push(new Entity());
  const e = g.edges;
  for (let i = 0; i < g.n; i++) {
    const children = entities[i]!.children;
    for (let k = 0; k < SLOTS; k++) {
      const t = e[SLOTS * i + k]!;
      if (t !== 0) children.push(entities[t - 1]!);
    }
  }
  return { entities, roots: Array.from(g.roots, (r) => entities[r - 1]!), stack: [] };
}

export function naiveCollect(w: NaiveWorld): number {
  const stack = w.stack;
  for (const root of w.roots) {
    if (!root.marked) {
      root.marked = true;
      stack.push(root);
    }
  }
  while (stack.length > 0) {
    const e = stack.pop()!;
    const children = e.children;
    for (let k = 0; k < children.length; k++) {
      const c = children[k]!;
      if (!c.marked) {
        c.marked = true;
        stack.push(c);
      }
    }
  }
  const before = w.entities.length;
  w.entities = w.entities.filter((e) => {
    if (!e.marked) return false;
    e.marked = false;
    return true;
  });
  return before - w.entities.length;
}
