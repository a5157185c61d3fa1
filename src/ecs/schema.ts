/**
 * Validating a component definition before anything is built: the schema's fields and types,
 * the name (unique in the heap) and the options. Errors name the bad value.
 */
import {
  columnBytes,
  type ComponentStore,
  FIELD_TYPES,
  type FieldType,
  isReferenceType,
  MAX_COLUMN_BYTES,
  MAX_FIELD_LENGTH,
  type Schema,
} from '../core/component-store.ts';
import { describe, type Ref } from '../core/handle.ts';
import { checkInteger } from '../core/options.ts';
import { RESERVED_FIELD_NAMES } from './components.ts';

/** Options of `defineComponent`. */
export interface ComponentOptions {
  /** Unique within the heap; names the component in errors and snapshots. Default `component<id>`. */
  name?: string;
  /** Runs when the component leaves an object: on `remove`, or in the finalizer phase once the object is found dead (its components still readable). */
  onRemove?: (ref: Ref) => void;
}

/**
 * Checks a definition; returns the component's name. Throws `TypeError` / `RangeError` naming what
 * is wrong. `fixedLength` is what numeric columns are sized for (`maxObjects` + 1).
 */
export function checkComponentDefinition(
  store: ComponentStore,
  schema: unknown,
  options: unknown,
  fixedLength: number,
): string {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new TypeError(`a component schema must be an object of fields, got ${describe(schema)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`component options must be an object, got ${describe(options)}`);
  }
  const { name = `component${store.list.length}`, onRemove } = options as ComponentOptions;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`a component name must be a non-empty string, got ${describe(name)}`);
  }
  if (store.byName.has(name)) throw new TypeError(`a component named '${name}' is defined already`);
  if (onRemove !== undefined && typeof onRemove !== 'function') {
    throw new TypeError(`onRemove must be a function, got ${describe(onRemove)}`);
  }
  for (const [field, spec] of Object.entries(schema as Schema)) {
    if (RESERVED_FIELD_NAMES.has(field)) throw new TypeError(`field name '${field}' is reserved`);
    const [type, length] = typeof spec === 'string' ? [spec, 1] : Array.isArray(spec) ? spec : [undefined, 1];
    if (!FIELD_TYPES.includes(type as FieldType)) {
      throw new TypeError(`field '${field}' has type ${describe(type)}; types are ${FIELD_TYPES.join(' ')}`);
    }
    checkInteger(`the length of array field '${field}'`, length, 1, MAX_FIELD_LENGTH);
    const bytes = columnBytes(type as FieldType, length as number, fixedLength);
    if (!isReferenceType(type as FieldType) && bytes > MAX_COLUMN_BYTES) {
      throw new RangeError(
        `field '${field}' of component '${name}' needs a column of ${Math.ceil(bytes / 2 ** 20)} MiB for ` +
          `maxObjects ${fixedLength - 1} (columns are allocated once, for every index, so that they never move; ` +
          `the most is ${MAX_COLUMN_BYTES / 2 ** 20} MiB): lower maxObjects, or the array's length`,
      );
    }
  }
  return name;
}
