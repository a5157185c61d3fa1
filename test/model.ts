/**
 * A plain reference model of the heap for property tests: objects in a `Map`, roots as pins and
 * scope frames, and a breadth-first reachability search. It knows nothing of indices, colors or
 * free lists, so agreeing with it is evidence the heap is right, not a restatement of the heap.
 */
import { expect } from 'vitest';
import { type Heap, NULL, type ObjectKind, type Ref, type Ticket } from '../mod.ts';

export interface ModelObject {
  slots: Ref[];
  kind: ObjectKind;
  /** Minor collections survived while young; `undefined` once old. */
  age: number | undefined;
  finalizer: boolean;
  /** The `Link` component: a strong `ref` field and a `weakref` field, when the object has it. */
  link: { ref: Ref; weak: Ref } | undefined;
}

export class Model {
  readonly objects = new Map<Ref, ModelObject>();
  readonly pins = new Map<Ticket, Ref>();
  readonly scopes: Ref[][] = [];
  readonly dead: Ref[] = [];
  readonly staleTickets: Ticket[] = [];
  /** Dead objects whose finalizer has yet to run, with their slots as they were at death. */
  readonly finalizerDue = new Map<Ref, { slots: Ref[]; kind: ObjectKind }>();
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

  alloc(ref: Ref, slots: number, kind: ObjectKind = 'strong', old = false): void {
    this.objects.set(ref, {
      slots: new Array<Ref>(slots).fill(NULL),
      kind,
      age: this.generational && !old ? 0 : undefined,
      finalizer: false,
      link: undefined,
    });
    const frame = this.scopes[this.scopes.length - 1];
    if (frame) frame.push(ref);
  }

  /** A deep copy: `heap.load` takes the heap back to a saved point, and the model goes back with it. */
  clone(): Model {
    const copy = new Model(this.generational, this.promoteAfter);
    copy.restoreFrom(this);
    return copy;
  }

  /** Becomes a copy of `other` (its containers are readonly: they are refilled). */
  restoreFrom(other: Model): void {
    const copyObject = (o: ModelObject): ModelObject => ({
      ...o,
      slots: [...o.slots],
      link: o.link === undefined ? undefined : { ...o.link },
    });
    this.objects.clear();
    for (const [ref, o] of other.objects) this.objects.set(ref, copyObject(o));
    this.pins.clear();
    for (const [ticket, ref] of other.pins) this.pins.set(ticket, ref);
    this.scopes.length = 0;
    for (const frame of other.scopes) this.scopes.push([...frame]);
    this.dead.length = 0;
    this.dead.push(...other.dead);
    this.staleTickets.length = 0;
    this.staleTickets.push(...other.staleTickets);
    this.finalizerDue.clear();
    for (const [ref, due] of other.finalizerDue) this.finalizerDue.set(ref, { slots: [...due.slots], kind: due.kind });
    this.condemned = other.condemned === null ? null : new Set(other.condemned);
    this.promoting = other.promoting === null ? null : new Set(other.promoting);
    this.tenuring = other.tenuring;
  }

  roots(): Ref[] {
    return [...this.pins.values(), ...this.scopes.flat()].filter((ref) => ref !== NULL);
  }

  /**
   * `heap.destroy(ref)`: the object is gone at once; every slot, link, pin and scope entry naming
   * it reads NULL from now on, and so does the value of an ephemeron pair keyed by it (as when a
   * key is freed). Its finalizer is due now, seeing its slots as they read at that moment.
   */
  destroy(ref: Ref): void {
    const object = this.objects.get(ref)!;
    const forget = (o: ModelObject): void => {
      if (o.link !== undefined) {
        if (o.link.ref === ref) o.link.ref = NULL;
        if (o.link.weak === ref) o.link.weak = NULL;
      }
      const slots = o.slots;
      if (o.kind === 'ephemeron') {
        for (let k = 0; k < slots.length; k += 2) if (slots[k] === ref) slots[k + 1] = NULL; // keyed by it
      }
      for (let k = 0; k < slots.length; k++) if (slots[k] === ref) slots[k] = NULL;
    };
    for (const o of this.objects.values()) forget(o);
    // Dead objects awaiting their finalizer read NULL there too, from now on.
    for (const due of this.finalizerDue.values()) forget({ slots: due.slots, kind: due.kind } as ModelObject);
    this.objects.delete(ref);
    this.dead.push(ref);
    if (object.finalizer) this.finalizerDue.set(ref, { slots: [...object.slots], kind: object.kind });
    this.condemned?.delete(ref);
    for (const [ticket, pinned] of this.pins) if (pinned === ref) this.pins.set(ticket, NULL);
    for (const frame of this.scopes) for (let k = 0; k < frame.length; k++) if (frame[k] === ref) frame[k] = NULL;
  }

  /**
   * Everything reachable from `from`: strong objects' slots are edges; weak objects' are not; an
   * ephemeron's value is reached once its object and its key are, repeated to a fixed point.
   */
  reach(from: Iterable<Ref>): Set<Ref> {
    const seen = new Set<Ref>();
    const queue = [...from];
    for (let changed = true; changed;) {
      while (queue.length > 0) {
        const ref = queue.pop()!;
        if (ref === NULL || seen.has(ref)) continue;
        seen.add(ref);
        const object = this.objects.get(ref)!;
        if (object.kind === 'strong') queue.push(...object.slots);
        if (object.link !== undefined) queue.push(object.link.ref);
      }
      changed = false;
      for (const ref of seen) {
        const object = this.objects.get(ref)!;
        if (object.kind !== 'ephemeron') continue;
        for (let k = 0; k < object.slots.length; k += 2) {
          const [key, value] = [object.slots[k]!, object.slots[k + 1]!];
          if (key !== NULL && seen.has(key) && value !== NULL && !seen.has(value)) {
            queue.push(value);
            changed = true;
          }
        }
      }
    }
    return seen;
  }

  /**
   * Removes every object not in `keep` (remembering the finalizers now due), then clears the weak
   * slots and ephemeron pairs that named them. Returns how many were removed.
   */
  retain(keep: Set<Ref>): number {
    let freed = 0;
    for (const [ref, object] of [...this.objects]) {
      if (keep.has(ref)) continue;
      this.objects.delete(ref);
      this.dead.push(ref);
      if (object.finalizer) this.finalizerDue.set(ref, { slots: [...object.slots], kind: object.kind });
      freed++;
    }
    const gone = (ref: Ref): boolean => ref !== NULL && !this.objects.has(ref);
    for (const object of this.objects.values()) {
      if (object.link !== undefined && gone(object.link.weak)) object.link.weak = NULL;
      const slots = object.slots;
      if (object.kind === 'weak') {
        for (let k = 0; k < slots.length; k++) if (gone(slots[k]!)) slots[k] = NULL;
      } else if (object.kind === 'ephemeron') {
        for (let k = 0; k < slots.length; k += 2) {
          if (gone(slots[k]!)) slots[k] = slots[k + 1] = NULL;
          else if (gone(slots[k + 1]!)) slots[k + 1] = NULL;
        }
      }
    }
    return freed;
  }

  /**
   * A finalizer ran for `ref`, reading `seen` from its slots: it must have been due, run once,
   * and seen the slots as they were at the object's death.
   */
  finalized(ref: Ref, seen: Ref[]): void {
    const due = this.finalizerDue.get(ref);
    if (due === undefined) return void expect({ finalizerRanFor: ref, due: false }).toBe(null);
    this.finalizerDue.delete(ref);
    // A weak slot may read NULL where its target died too: `collect()` during a cycle finishes
    // the cycle (which may free the target and clear the slot) before its own full collection.
    const agrees = (target: Ref, k: number): boolean =>
      target === due.slots[k] || (due.kind !== 'strong' && target === NULL && !this.objects.has(due.slots[k]!));
    if (seen.length !== due.slots.length || !seen.every(agrees)) expect(seen).toEqual(due.slots);
  }

  /** After a collection that runs its finalizers to the end: none may be left due. */
  checkNoFinalizerDue(): void {
    if (this.finalizerDue.size > 0) expect({ finalizersNeverRun: [...this.finalizerDue.keys()] }).toBe(null);
  }

  /** A full collection: exactly what roots reach survives, and survivors are old. */
  collect(): number {
    this.promoting = null;
    this.tenuring = false;
    const freed = this.retain(this.reach(this.roots()));
    for (const object of this.objects.values()) object.age = undefined;
    return freed;
  }

  /**
   * A minor collection: old objects all survive and count as roots; young objects survive when
   * roots or old objects reach them, age by one, and become old at `promoteAge`: `promoteAfter`,
   * or 1 where the heap promoted a full nursery that nearly all survives at once (the age the
   * heap's minor used, `lastPromotionAge`; its choice is tested on its own in test/generational.test.ts).
   */
  minor(promoteAge: number = this.promoteAfter): number {
    const old = [...this.objects].filter(([, object]) => object.age === undefined).map(([ref]) => ref);
    const keep = this.reach([...this.roots(), ...old]);
    const freed = this.retain(keep);
    for (const object of this.objects.values()) {
      if (object.age === undefined) continue;
      object.age++;
      if (object.age >= promoteAge) object.age = undefined;
    }
    return freed;
  }

  /** `tenure()`: every object old now. */
  tenure(): void {
    for (const object of this.objects.values()) object.age = undefined;
    if (this.promoting !== null) this.promoting.clear();
    if (this.tenuring) this.endTenure(); // the heap's TENURE has nothing left to do: it ends
  }

  young(): number {
    let young = 0;
    for (const object of this.objects.values()) if (object.age !== undefined) young++;
    return young;
  }

  /**
   * An incremental cycle begins: whatever roots do not reach now must be freed by its end, and
   * every young object becomes old during the cycle's first phase (promotion runs in slices, so
   * until the cycle ends the heap may still count some of them young).
   */
  beginCycle(): void {
    const reachable = this.reach(this.roots());
    this.condemned = new Set([...this.objects.keys()].filter((ref) => !reachable.has(ref)));
    this.promoting = new Set();
    for (const [ref, object] of this.objects) {
      if (object.age === undefined) continue;
      object.age = undefined;
      this.promoting.add(ref);
    }
  }

  /** Objects young when the running cycle began: old by the end of its promotion phase. */
  promoting: Set<Ref> | null = null;

  /**
   * Whether the heap is making an oversized nursery old in slices outside a cycle (a tick's
   * TENURE, reported as work 'tenure'): like a cycle's promotion, with nothing condemned.
   */
  tenuring = false;

  /** A tick began a TENURE: every young object becomes old during it. */
  beginTenure(): void {
    this.tenuring = true;
    this.promoting = new Set();
    for (const [ref, object] of this.objects) {
      if (object.age === undefined) continue;
      object.age = undefined;
      this.promoting.add(ref);
    }
  }

  /** The TENURE ended: everything young when it began is old. */
  endTenure(): void {
    this.tenuring = false;
    this.promoting = null;
  }

  /**
   * The program stored `ref` into `owner`, or pinned it (no owner), during a cycle. A store into
   * a condemned owner (unreachable since the cycle began, so white) keeps nothing alive: the
   * barrier shades only targets stored into marked objects. Otherwise `ref` and what it reaches
   * may survive, and so may whatever the store made reachable from roots again, e.g. an
   * ephemeron value whose key was just stored.
   */
  resurrect(ref: Ref, owner?: Ref): void {
    if (this.condemned === null) return;
    if (owner !== undefined && this.condemned.has(owner)) return;
    if (this.condemned.has(ref)) { for (const reached of this.reach([ref])) this.condemned.delete(reached); }
    // The owner may be marked, and it may now reach more than `ref`: an ephemeron whose key was
    // just stored keeps its value, even when the owner is no longer reachable from roots (it was
    // marked while it was: floating garbage, with whatever its pairs keep). Reached together with
    // the roots, as the marker reaches them: a pair whose key only the roots reach keeps its value
    // too (a random seed found the model condemning that value while the heap kept it).
    const from = owner === undefined ? this.roots() : [owner, ...this.roots()];
    for (const reached of this.reach(from)) this.condemned.delete(reached);
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
    this.promoting = null;
  }

  /** Checks that the heap agrees with the model in every observable way, then runs `verify()`. */
  check(heap: Heap): void {
    const Link = heap.component('Link', { ref: 'ref', weak: 'weakref' });
    if (Link !== undefined) {
      let linked = 0;
      for (const [ref, object] of this.objects) {
        if (heap.has(ref, Link) !== (object.link !== undefined)) {
          expect({ ref, hasLink: !heap.has(ref, Link) }).toBe(null);
        }
        if (object.link === undefined) continue;
        linked++;
        const seen = { ref: heap.getField(ref, Link, 'ref'), weak: heap.getField(ref, Link, 'weak') };
        if (seen.ref !== object.link.ref || seen.weak !== object.link.weak) expect(seen).toEqual(object.link);
      }
      expect(heap.query(Link).length).toBe(linked);
    }
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
    const young = heap.stats().young;
    if (this.promoting === null) {
      expect(young).toBe(this.young());
    } else {
      // Promotion is under way: the young objects the model counts, plus some not yet promoted.
      let pending = 0;
      for (const ref of this.promoting) if (this.objects.has(ref)) pending++;
      if (young < this.young() || young > this.young() + pending) {
        expect({ young, modelYoung: this.young(), pending }).toBe(null);
      }
    }
    heap.verify();
  }
}

/** The typed array of each numeric field type: what a column of that type stores. */
const NUMERIC_COLUMNS: Record<string, new (length: number) => { [index: number]: number }> = {
  f32: Float32Array,
  f64: Float64Array,
  i8: Int8Array,
  i16: Int16Array,
  i32: Int32Array,
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
};

/** What a numeric field of `type` reads back after `value` is stored (its typed array's conversion). */
export function storedAs(type: string, value: number): number {
  const column = new NUMERIC_COLUMNS[type]!(1);
  column[0] = value;
  return column[0]!;
}
