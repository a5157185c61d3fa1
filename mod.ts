/**
 * ecs-heap: a garbage-collected object heap for game engines. Objects are entity ids whose headers
 * and reference edges live in struct-of-arrays typed arrays.
 *
 * @module
 */
export { NULL, type Ref, type Ticket } from './src/handle.ts';
export {
  type CollectionInfo,
  type ComponentInit,
  type ComponentOptions,
  Heap,
  type HeapOptions,
  type HeapStats,
  type ObjectKind,
  type Phase,
} from './src/heap.ts';
export {
  GcForbiddenError,
  HeapCorruptionError,
  HeapError,
  HeapFullError,
  StaleRefError,
  StaleTicketError,
} from './src/errors.ts';
export {
  type Component,
  type ComponentBase,
  type FieldSpec,
  type FieldType,
  type Not,
  not,
  type Schema,
} from './src/components.ts';
export { type RestoreOptions, SnapshotError } from './src/snapshot.ts';
