/**
 * Marking: an explicit `Uint32Array` gray stack, no recursion, no per-object allocation.
 *
 * Invariant kept here: an object is pushed at most once per cycle, because it takes the mark
 * color when pushed (gray = marked and on the stack, black = marked and popped). So the stack
 * never holds more entries than there are live objects.
 */
import { growU32 } from '../core/columns.ts';
import { DESTROYED, HAS_COMPONENTS, type HeapState, NOT_STRONG, YOUNG } from '../core/state.ts';

export function growMarkStack(s: HeapState): Uint32Array {
  s.markStack = growU32(s.markStack, s.markStack.length * 2);
  return s.markStack;
}

/** Marks one object gray unless it is marked already, or destroyed (gc/destroy.ts: never marked). */
export function shade(s: HeapState, objectIndex: number): void {
  const c = s.color[objectIndex];
  if (c === s.markValue || c === DESTROYED) return;
  s.color[objectIndex] = s.markValue;
  s.marked++;
  if (s.markTop === s.markStack.length) growMarkStack(s);
  s.markStack[s.markTop++] = objectIndex;
}

/** Shades every root: live pins and objects of open scopes. */
export function shadeRoots(s: HeapState): void {
  const pinTarget = s.pinTarget;
  for (let p = 1, end = s.pinTop; p < end; p++) {
    const target = pinTarget[p]!;
    if (target !== 0) shade(s, target);
  }
  const scopeStack = s.scopeStack;
  for (let k = 0, end = s.scopeTop; k < end; k++) shade(s, scopeStack[k]!);
}

/** The most units one `scanGray` call counts to: below 2^30, so its counts stay small integers. */
const SLICE_UNITS = 2 ** 30 - 1;

/**
 * Pops and scans gray objects until the stack is empty or `budget` work units are spent
 * (one unit per object plus one per slot or `ref` field). Returns the units spent. Objects are
 * scanned whole, so a slice may overrun its budget by one object's slots.
 */
export function drainMarkStack(s: HeapState, budget: number): number {
  let work = 0;
  for (;;) {
    work += scanGray(s, budget - work);
    if (s.markTop === 0 || work >= budget) return work;
    // `scanGray` stopped before an object it leaves to the slow path (see there).
    work += scanGraySlow(s);
  }
}

/**
 * The hot loop. It handles only the common object: no component `ref` fields to trace, and room on
 * the stack for all its slots' targets. It stops before any other (left on the stack for
 * `scanGraySlow`), so the loop's compiled code never holds the rare paths: compiled before a rare
 * path had run, a loop holding them was thrown away the first time one ran ("insufficient type
 * feedback" deopts), and recompiled into code whose speed differed from process to process (the
 * `spread` bench). The stack stays one constant array for the whole loop, as engines compile a
 * loop whose array can change under it into slower code.
 */
function scanGray(s: HeapState, budget: number): number {
  // The budget as a small integer (budgets are whole units): JSC compares the integer `work` with a
  // double, such as `collect()`'s Infinity, more slowly (a full mark of 10^6 objects 4-8% slower in
  // Bun; Node and Deno alike either way). A drain past `SLICE_UNITS` goes on from `drainMarkStack`.
  const limit = budget < SLICE_UNITS ? budget | 0 : SLICE_UNITS;
  const color = s.color;
  const base = s.base;
  const size = s.size;
  const slots = s.slots;
  const flags = s.flags;
  const mark = s.markValue;
  const stack = s.markStack;
  const capacity = stack.length;
  const traced = tracedComponents(s);
  let sp = s.markTop;
  let work = 0;
  let marked = 0;
  while (sp > 0 && work < limit) {
    const obj = stack[sp - 1]!;
    const objFlags = flags[obj]!;
    const start = base[obj]!;
    const end = start + size[obj]!;
    if ((objFlags & traced) !== 0 || sp - 1 + end - start > capacity) break;
    sp--;
    work += 1 + end - start;
    // Weak and ephemeron slots are not strong edges; their objects are handled in the atomic phase.
    if ((objFlags & NOT_STRONG) !== 0) continue;
    for (let k = start; k < end; k++) {
      const target = slots[k]!;
      if (target !== 0 && color[target] !== mark) {
        // A destroyed target reads NULL already; clearing its name is what lets gc/destroy.ts free its index.
        if (color[target] === DESTROYED) {
          slots[k] = 0;
          continue;
        }
        color[target] = mark;
        marked++;
        stack[sp++] = target;
      }
    }
  }
  s.markTop = sp;
  s.marked += marked;
  return work;
}

/**
 * The flag that sends an object to the slow path for its components: `HAS_COMPONENTS` while some
 * component has a strong `ref` field, else none. Components without one add no edge, so their
 * members are scanned in the hot loop (splay: half its objects are payload leaves with a component,
 * each a call to the slow path before).
 */
function tracedComponents(s: HeapState): number {
  return s.components.strongRefFields.length > 0 ? HAS_COMPONENTS : 0;
}

/**
 * The slow path of `scanGray`: pops and scans the object on top of the stack, growing the stack
 * first when its slots might not fit, and shading its components' `ref` fields. Returns units.
 */
function scanGraySlow(s: HeapState): number {
  const obj = s.markStack[s.markTop - 1]!;
  const start = s.base[obj]!;
  const end = start + s.size[obj]!;
  while (s.markTop - 1 + end - start > s.markStack.length) growMarkStack(s);
  s.markTop--;
  let work = 1 + end - start;
  if ((s.flags[obj]! & NOT_STRONG) === 0) {
    for (let k = start; k < end; k++) {
      const target = s.slots[k]!;
      if (target === 0) continue;
      if (s.color[target] === DESTROYED) s.slots[k] = 0; // as in `scanGray`
      else shade(s, target);
    }
  }
  if ((s.flags[obj]! & HAS_COMPONENTS) !== 0) work += shadeComponentRefs(s, obj);
  return work;
}

/** After a cycle: a mark stack grown past 1/16 of the heap goes back to its first size (memory). */
export function shrinkMarkStack(s: HeapState): void {
  if (s.markStack.length > 4096 && s.markStack.length > s.columnLength >> 4) s.markStack = new Uint32Array(256);
}

// ---- minor marking ---------------------------------------------------------------------------
// A minor collection marks young objects with `youngMark` (the value the next major cycle will
// use, so it never collides with the colors live objects hold between cycles) and treats every
// old object as live: old objects are never colored, and tracing stops at them.

/** Shades every young root (pins and open scopes naming young objects). */
export function shadeYoungRoots(s: HeapState, youngMark: number): void {
  const pinTarget = s.pinTarget;
  for (let p = 1, end = s.pinTop; p < end; p++) shadeYoung(s, pinTarget[p]!, youngMark);
  const scopeStack = s.scopeStack;
  for (let k = 0, end = s.scopeTop; k < end; k++) shadeYoung(s, scopeStack[k]!, youngMark);
}

export function shadeYoung(s: HeapState, objectIndex: number, youngMark: number): void {
  const c = s.color[objectIndex];
  if ((s.flags[objectIndex]! & YOUNG) === 0 || c === youngMark || c === DESTROYED) return;
  s.color[objectIndex] = youngMark;
  if (s.markTop === s.markStack.length) growMarkStack(s);
  s.markStack[s.markTop++] = objectIndex;
}

/** Scans every object on the stack, shading the young objects its strong slots reach. */
export function drainYoung(s: HeapState, youngMark: number): void {
  for (;;) {
    scanYoung(s, youngMark);
    if (s.markTop === 0) return;
    scanYoungSlow(s, youngMark); // as in `drainMarkStack`
  }
}

/** The minor marker's hot loop, the common object only, as `scanGray`. */
function scanYoung(s: HeapState, youngMark: number): void {
  const color = s.color;
  const base = s.base;
  const size = s.size;
  const slots = s.slots;
  const flags = s.flags;
  const stack = s.markStack;
  const capacity = stack.length;
  const traced = tracedComponents(s);
  let sp = s.markTop;
  while (sp > 0) {
    const obj = stack[sp - 1]!;
    const objFlags = flags[obj]!;
    const start = base[obj]!;
    const end = start + size[obj]!;
    if ((objFlags & traced) !== 0 || sp - 1 + end - start > capacity) break;
    sp--;
    if ((objFlags & NOT_STRONG) !== 0) continue;
    for (let k = start; k < end; k++) {
      const target = slots[k]!;
      if ((flags[target]! & YOUNG) !== 0 && color[target] !== youngMark) {
        // As in `scanGray`: a destroyed young target's name is cleared, so this minor may free it.
        if (color[target] === DESTROYED) {
          slots[k] = 0;
          continue;
        }
        color[target] = youngMark;
        stack[sp++] = target;
      }
    }
  }
  s.markTop = sp;
}

/** The slow path of `scanYoung`, as `scanGraySlow`. */
function scanYoungSlow(s: HeapState, youngMark: number): void {
  const obj = s.markStack[s.markTop - 1]!;
  const start = s.base[obj]!;
  const end = start + s.size[obj]!;
  while (s.markTop - 1 + end - start > s.markStack.length) growMarkStack(s);
  s.markTop--;
  if ((s.flags[obj]! & NOT_STRONG) === 0) {
    for (let k = start; k < end; k++) {
      const target = s.slots[k]!;
      if (s.color[target] === DESTROYED && (s.flags[target]! & YOUNG) !== 0) s.slots[k] = 0; // as in `scanYoung`
      else shadeYoung(s, target, youngMark);
    }
  }
  if ((s.flags[obj]! & HAS_COMPONENTS) !== 0) shadeYoungComponentRefs(s, obj, youngMark);
}

// ---- component `ref` fields: the marker's slow path, for objects with components only ----------

/** Shades every target of the object's strong `ref` fields; returns the elements looked at, as work. */
function shadeComponentRefs(s: HeapState, obj: number): number {
  let work = 0;
  const refFields = s.components.strongRefFields;
  for (let r = 0; r < refFields.length; r++) {
    const { owner, field } = refFields[r]!;
    if (owner.position[obj] === 0) continue;
    const column = field.column;
    for (let k = obj * field.length, end = k + field.length; k < end; k++) {
      const target = column[k]!;
      if (target === 0) continue;
      if (s.color[target] === DESTROYED) column[k] = 0; // as in `scanGray`
      else shade(s, target);
    }
    work += field.length;
  }
  return work;
}

function shadeYoungComponentRefs(s: HeapState, obj: number, youngMark: number): void {
  const refFields = s.components.strongRefFields;
  for (let r = 0; r < refFields.length; r++) {
    const { owner, field } = refFields[r]!;
    if (owner.position[obj] === 0) continue;
    const column = field.column;
    for (let k = obj * field.length, end = k + field.length; k < end; k++) {
      if (s.color[column[k]!] === DESTROYED) column[k] = 0; // as in `scanYoung`
      else shadeYoung(s, column[k]!, youngMark);
    }
  }
}
