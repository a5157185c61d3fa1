/**
 * A plain reference model of the heap for property tests: objects in a `Map`, roots as pins and
 * scope frames, and a breadth-first reachability search. It knows nothing of indices, colors or
 * free lists, so agreeing with it is evidence the heap is right, not a restatement of the heap.
 */
import { expect } from 'vitest';
import { type Heap, NULL, type Ref, type Ticket } from '../mod.ts';

export interface ModelObject {
  slots: Ref[];
  /** Minor collections survived while young; `undefined` once old. */
  age: number | undefined;
}

export class Model {
  readonly objects = new Map<Ref, ModelObject>();
  readonly pins = new Map<Ticket, Ref>();
  readonly scopes: Ref[][] = [];
  readonly dead: Ref[] = [];
  readonly staleTickets: Ticket[] = [];
  /**
   * While an incremental cycle runs: the objects unreachable when it began and not made
   * reachable since (stored into a slot or pinned, with everything they reach). The cycle must
   * free all of them.
   */
  condemned: Set<Ref> | null = null;

  readonly generational: boolean;
  readonly promoteAfter: number;

  constructor(generational = true, promoteAfter = 2) {
    this.generational = generational;
    this.promoteAfter = promoteAfter;
  }

  alloc(ref: Ref, slots: number): void {
    this.objects.set(ref, { slots: new Array<Ref>(slots).fill(NULL), age: this.generational ? 0 : undefined });
    const frame = this.scopes[this.scopes.length - 1];
    if (frame) frame.push(ref);
  }

  roots(): Ref[] {
    return [...this.pins.values(), ...this.scopes.flat()];
  }

  /** Everything reachable from `from`, following strong slots. */
  reach(from: Iterable<Ref>): Set<Ref> {
    const seen = new Set<Ref>();
    const queue = [...from];
    while (queue.length > 0) {
      const ref = queue.pop()!;
      if (ref === NULL || seen.has(ref)) continue;
      seen.add(ref);
      for (const target of this.objects.get(ref)!.slots) queue.push(target);
    }
    return seen;
  }

  /** Removes every object not in `keep`; returns how many were removed. */
  retain(keep: Set<Ref>): number {
    let freed = 0;
    for (const ref of [...this.objects.keys()]) {
      if (keep.has(ref)) continue;
      this.objects.delete(ref);
      this.dead.push(ref);
      freed++;
    }
    return freed;
  }

  /** A full collection: exactly what roots reach survives, and survivors are old. */
  collect(): number {
    const freed = this.retain(this.reach(this.roots()));
    for (const object of this.objects.values()) object.age = undefined;
    return freed;
  }

  /**
   * A minor collection: old objects all survive and count as roots; young objects survive when
   * roots or old objects reach them, age by one, and become old at `promoteAfter`.
   */
  minor(): number {
    const old = [...this.objects].filter(([, object]) => object.age === undefined).map(([ref]) => ref);
    const keep = this.reach([...this.roots(), ...old]);
    const freed = this.retain(keep);
    for (const object of this.objects.values()) {
      if (object.age === undefined) continue;
      object.age++;
      if (object.age >= this.promoteAfter) object.age = undefined;
    }
    return freed;
  }

  young(): number {
    let young = 0;
    for (const object of this.objects.values()) if (object.age !== undefined) young++;
    return young;
  }

  /** An incremental cycle begins: whatever roots do not reach now must be freed by its end. */
  beginCycle(): void {
    const reachable = this.reach(this.roots());
    this.condemned = new Set([...this.objects.keys()].filter((ref) => !reachable.has(ref)));
  }

  /** The program stored or pinned `ref` during a cycle: it and what it reaches may survive. */
  resurrect(ref: Ref): void {
    if (this.condemned === null || !this.condemned.has(ref)) return;
    for (const reached of this.reach([ref])) this.condemned.delete(reached);
  }

  /**
   * Takes in the deaths the heap reports (after incremental work, whose exact victims the model
   * does not predict): each must be unreachable from roots now. Returns how many there were.
   */
  syncDeaths(heap: Heap): number {
    const reachable = this.reach(this.roots());
    const died = [...this.objects.keys()].filter((ref) => !heap.isAlive(ref));
    for (const ref of died) if (reachable.has(ref)) expect({ freedWhileReachable: ref }).toBe(null);
    this.retain(new Set([...this.objects.keys()].filter((ref) => heap.isAlive(ref))));
    return died.length;
  }

  /** A cycle ended: everything it condemned must be dead. */
  endCycle(heap: Heap): void {
    for (const ref of this.condemned ?? []) if (heap.isAlive(ref)) expect({ survivedItsCycle: ref }).toBe(null);
    this.condemned = null;
  }

  /** Checks that the heap agrees with the model in every observable way, then runs `verify()`. */
  check(heap: Heap): void {
    // Plain loops, with `expect` only on a mismatch: a property test calls this after every step.
    for (const [ref, object] of this.objects) {
      const slots = heap.isAlive(ref) ? Array.from({ length: heap.slotCount(ref) }, (_, k) => heap.get(ref, k)) : null;
      if (slots === null || slots.length !== object.slots.length || slots.some((t, k) => t !== object.slots[k])) {
        expect({ ref, slots }).toEqual({ ref, slots: object.slots });
      }
    }
    for (const ref of this.dead) if (heap.isAlive(ref)) expect({ staleReadsAlive: ref }).toBe(null);
    for (const [ticket, ref] of this.pins) if (heap.pinned(ticket) !== ref) expect(heap.pinned(ticket)).toBe(ref);
    for (const ticket of this.staleTickets) if (heap.pinned(ticket) !== NULL) expect(heap.pinned(ticket)).toBe(NULL);
    expect(heap.stats().live).toBe(this.objects.size);
    expect(heap.stats().young).toBe(this.young());
    heap.verify();
  }
}
