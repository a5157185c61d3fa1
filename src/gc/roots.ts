/**
 * Roots: the pin table (generation-tagged tickets, recycled through a free list, retired when a
 * pin slot's generation would overflow, as the host-root pool of docs/design.md's "Prior art"
 * does) and the scope stack (objects allocated while a scope is open). Nothing else is a root.
 */
import { growU32 } from '../core/columns.ts';
import { describe, packHandle, plural } from '../core/handle.ts';
import { HeapFullError, StaleTicketError } from '../core/errors.ts';
import type { HeapState } from '../core/state.ts';

/** Pin slot 0 is never used, so ticket 0 is never valid. A pin slot's target 0 means "free". */
export function addPin(s: HeapState, objectIndex: number): number {
  let pinIndex = s.pinFreeHead;
  if (pinIndex !== 0) {
    s.pinFreeHead = s.pinNext[pinIndex]!;
  } else {
    pinIndex = s.pinTop;
    if (pinIndex > s.codec.indexMask) {
      throw new HeapFullError(`pin table full: ${plural(s.pinsLive, 'pin')} ${s.pinsLive === 1 ? 'is' : 'are'} live`);
    }
    if (pinIndex >= s.pinTarget.length) {
      const length = Math.min(s.pinTarget.length * 2, s.codec.indexMask + 1);
      s.pinTarget = growU32(s.pinTarget, length);
      s.pinGeneration = growU32(s.pinGeneration, length);
      s.pinNext = growU32(s.pinNext, length);
    }
    s.pinTop = pinIndex + 1;
  }
  s.pinTarget[pinIndex] = objectIndex;
  s.pinsLive++;
  return packHandle(s.codec, pinIndex, s.pinGeneration[pinIndex]!);
}

/** The pin slot a ticket names, or 0 when the ticket is stale or malformed. */
export function pinSlot(s: HeapState, ticket: unknown): number {
  if (typeof ticket !== 'number') return 0;
  const pinIndex = ticket & s.codec.indexMask;
  if (pinIndex === 0 || pinIndex >= s.pinTop || s.pinTarget[pinIndex] === 0) return 0;
  // Also rejects fractions, negatives, NaN and values past 2^53: none rebuild to themselves.
  if (packHandle(s.codec, pinIndex, s.pinGeneration[pinIndex]!) !== ticket) return 0;
  return pinIndex;
}

export function removePin(s: HeapState, ticket: unknown): void {
  const pinIndex = pinSlot(s, ticket);
  if (pinIndex === 0) {
    throw new StaleTicketError(
      `ticket ${describe(ticket)} is stale: it was unpinned already or never issued by this heap`,
    );
  }
  s.pinTarget[pinIndex] = 0;
  s.pinsLive--;
  const generation = s.pinGeneration[pinIndex]! + 1;
  // A pin slot whose generation would overflow retires: a stale ticket must never revive.
  if (generation > s.codec.maxGeneration) return;
  s.pinGeneration[pinIndex] = generation;
  s.pinNext[pinIndex] = s.pinFreeHead;
  s.pinFreeHead = pinIndex;
}

/** Roots an object allocated while a scope is open, until that scope closes. */
export function pushScoped(s: HeapState, objectIndex: number): void {
  if (s.scopeTop === s.scopeStack.length) s.scopeStack = growU32(s.scopeStack, s.scopeStack.length * 2);
  s.scopeStack[s.scopeTop++] = objectIndex;
}

/** The live pins in pin-table order: each ticket with the index of the object it pins. */
export function listPins(s: HeapState): { ticket: number; index: number }[] {
  const pins: { ticket: number; index: number }[] = [];
  for (let p = 1, end = s.pinTop; p < end; p++) {
    const index = s.pinTarget[p]!;
    if (index !== 0) pins.push({ ticket: packHandle(s.codec, p, s.pinGeneration[p]!), index });
  }
  return pins;
}
