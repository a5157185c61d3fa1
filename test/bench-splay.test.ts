/**
 * bench/lib/splay-floor.ts and the splay suite's hops section: the floors must splay exactly as the
 * heap and the JS tree do, or their times say nothing about where a splay's time goes. Every
 * contender splays its own tree (built and stepped alike) to the same keys; after, all trees hold
 * the same keys in order under the same root, and the heaps the floors stored into pass verify().
 */
import { describe, expect, test } from 'vitest';
import { checkSplayHops, HOP_CONTENDERS, splayHops, splaysOf } from '../bench/splay.bench.ts';
import { floorKeysInOrder, floorSplay, makeSplayFloor } from '../bench/lib/splay-floor.ts';
import { prng } from '../bench/lib/graphs.ts';

const TREE = 300;

describe('bench/splay.bench.ts splay hops', () => {
  test('every contender leaves the same tree after the same splays', () => {
    const h = splayHops(3, TREE);
    checkSplayHops(h);
    const rand = prng(40);
    for (let block = 0; block < 4; block++) {
      const keys = new Float64Array(200);
      for (let k = 0; k < keys.length; k++) keys[k] = h.treeKeys[Math.floor(rand() * h.treeKeys.length)]!;
      for (const which of HOP_CONTENDERS) splaysOf(h, which, keys);
      checkSplayHops(h);
      // The last key splayed is every tree's root.
      expect(h.js.tree.root!.key).toBe(keys[keys.length - 1]);
    }
    expect(h.treeKeys.length).toBe(TREE);
    expect(floorKeysInOrder(h.dense)).toEqual(Array.from(h.treeKeys));
  });

  test('a tree that differs is caught', () => {
    const h = splayHops(1, TREE);
    // One contender splays a key the others do not: same keys in order, another root.
    floorSplay(h.bare, h.treeKeys[0]!);
    floorSplay(h.bare, h.treeKeys[TREE - 1]!);
    expect(() => checkSplayHops(h)).toThrow(/bare floor's tree differs/);
  });

  test('the checked floor refuses what targetAt refuses', () => {
    const h = splayHops(1, TREE);
    const outside = makeSplayFloor({ ...h.checked, holder: h.checked.top });
    expect(() => floorSplay(outside, h.treeKeys[0]!)).toThrow(RangeError);
    // A node whose slot count reads 0: its slots are out of range for the checks.
    const root = h.checked.slots[h.checked.base[h.checked.holder]!]!;
    const size = h.checked.size[root]!;
    h.checked.size[root] = 0;
    try {
      expect(() => floorSplay(h.checked, h.treeKeys[5]!)).toThrow(/fails the read check/);
    } finally {
      h.checked.size[root] = size;
    }
  });
});
