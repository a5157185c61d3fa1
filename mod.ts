/**
 * ecs-heap: a garbage-collected object heap for game engines. Objects are entity ids whose headers
 * and reference edges live in struct-of-arrays typed arrays.
 *
 * @module
 */
export { type Index, type IndexArray, NULL, type Ref, type RefArray, type Ticket } from './src/core/handle.ts';
export {
  type CollectionInfo,
  type ComponentOptions,
  Heap,
  type HeapOptions,
  type HeapStats,
  type ObjectKind,
  type PathStep,
  type Phase,
  RefField,
  type TickReport,
} from './src/heap.ts';
export {
  GcForbiddenError,
  HeapCorruptionError,
  HeapError,
  HeapFullError,
  StaleRefError,
  StaleTicketError,
} from './src/core/errors.ts';
export {
  type Component,
  type ComponentBase,
  type ComponentInit,
  type FieldName,
  type FieldValue,
  type Not,
  not,
  type RefFieldName,
} from './src/ecs/components.ts';
export { type FieldSpec, type FieldType, type Schema } from './src/core/component-store.ts';
export { SnapshotError } from './src/io/snapshot.ts';
export { type RestoreOptions } from './src/io/load.ts';
export { listHas, listItems, listLength, listPush, listRemove } from './src/lists.ts';
