/**
 * Restoring a snapshot: `Heap.restore` (a new heap) and `heap.load` (in place) share this. The
 * state the bytes describe is built whole in a fresh `HeapState` and checked (io/snapshot.ts's
 * `loadState` ends in the invariant checker); only then does the heap take it, so bad bytes or a
 * mismatch leave the heap as it was.
 *
 * In place, the heap keeps its own component objects: the loaded columns, members and queries
 * move into its `ComponentData` records (the objects users hold read their columns from there),
 * and its components keep their `onRemove` hooks. For that, the heap's components must be the
 * snapshot's: the same names, in the same order (component ids are in the bytes), with the same
 * schemas; anything else is a `SnapshotError` naming the first difference.
 *
 * Functions are not in the bytes. Both options that give them back are functions of what had
 * one: `finalizer(ref)` for each object that had a finalizer, `onRemove(name)` for each component
 * that had a hook (`onRemove` may also be an object by component name). A function not given back
 * is a usage error (`TypeError`), not bad bytes; `finalizer(ref)` returning undefined drops that
 * object's finalizer on purpose.
 */
import {
  addComponentData,
  adoptNumericColumns,
  type ComponentData,
  isReferenceType,
  makeQueryData,
  rebuildMasks,
  type Schema,
  schemaDifference,
} from '../core/component-store.ts';
import { describe, plural, type Ref } from '../core/handle.ts';
import type { ResolvedOptions } from '../core/options.ts';
import { createState, type HeapState } from '../core/state.ts';
import { checkComponentDefinition } from '../ecs/schema.ts';
import { type DecodedHeader, loadState, queriesToDefine, SnapshotError } from './snapshot.ts';

type Hook = (ref: Ref) => void;

export interface RestoreOptions {
  /**
   * Gives back the finalizer of each object that had one when the snapshot was taken (called
   * with its handle); undefined drops it. Needed when any object had a finalizer.
   */
  finalizer?: (ref: Ref) => Hook | undefined;
  /**
   * `Heap.restore` only: gives back the `onRemove` hook of each component that had one, by
   * component name: a function of the name, or an object of hooks by name. (`heap.load` keeps
   * the heap's own components and their hooks.)
   */
  onRemove?: Readonly<Record<string, Hook>> | ((component: string) => Hook | undefined);
  /** The restored heap's `onFinalizerError` (`heap.load`: replaces the heap's). */
  onFinalizerError?: (error: unknown) => void;
}

/** A component to define in the restored state: its name, schema and hook. */
export interface ComponentSpec {
  name: string;
  schema: Schema;
  onRemove: Hook | undefined;
}

/** Checks the options' shape before anything is read; `load` takes no `onRemove`. */
export function checkRestoreOptions(options: unknown, call: 'restore' | 'load'): RestoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${call} options must be an object, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== 'finalizer' && key !== 'onRemove' && key !== 'onFinalizerError') {
      throw new TypeError(`unknown ${call} option '${key}'`);
    }
  }
  for (const key of ['finalizer', 'onFinalizerError'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'function') {
      throw new TypeError(`${call} option ${key} must be a function, got ${describe(o[key])}`);
    }
  }
  if (o.onRemove === undefined) return o as RestoreOptions;
  if (call === 'load') {
    throw new TypeError("load keeps each component's own onRemove hook: onRemove is an option of Heap.restore");
  }
  if (typeof o.onRemove === 'function') return o as RestoreOptions;
  if (typeof o.onRemove !== 'object' || o.onRemove === null) {
    throw new TypeError(
      `restore option onRemove must be a function of the component name or an object of hooks by name, got ${
        describe(o.onRemove)
      }`,
    );
  }
  for (const [name, fn] of Object.entries(o.onRemove)) {
    if (typeof fn !== 'function') {
      throw new TypeError(`onRemove hook '${name}' must be a function, got ${describe(fn)}`);
    }
  }
  return o as RestoreOptions;
}

/**
 * `Heap.restore`: the snapshot's components, each with its hook given back. A component that had
 * a hook and gets none is a `TypeError` (functions are not saved: the caller must give it).
 */
export function componentsToRestore(decoded: DecodedHeader, options: RestoreOptions): ComponentSpec[] {
  // (`decodeHeader` checked each entry's shape: io/snapshot.ts, `checkComponent`.)
  return decoded.header.components.map((info) => {
    const given = options.onRemove;
    const onRemove = typeof given === 'function' ? given(info.name) : given?.[info.name];
    if (onRemove !== undefined && typeof onRemove !== 'function') {
      throw new TypeError(
        `the onRemove hook given back for component '${info.name}' is ${describe(onRemove)}, not a function`,
      );
    }
    if (info.onRemove && onRemove === undefined) {
      throw new TypeError(
        `component '${info.name}' had an onRemove hook, and functions are not saved: pass ` +
          `Heap.restore(bytes, { onRemove: { '${info.name}': fn } })`,
      );
    }
    return { name: info.name, schema: info.schema, onRemove };
  });
}

/**
 * `heap.load`: the heap's components, which must be the snapshot's (same names in the same
 * order, same schemas), with their own hooks. Otherwise a `SnapshotError` naming the difference.
 */
export function componentsToLoad(decoded: DecodedHeader, s: HeapState): ComponentSpec[] {
  const store = s.components;
  // Numeric columns are sized for maxObjects and never move, so the heap keeps them only if the
  // saved heap had the same bound.
  const maxObjects = decoded.header.options.maxObjects;
  if (maxObjects !== s.maxObjects) {
    throw new SnapshotError(
      `the snapshot's heap has maxObjects ${describe(maxObjects)}, this heap ${s.maxObjects}: load needs the same ` +
        '(component columns are sized for it and never move); Heap.restore makes a new heap instead',
    );
  }
  const saved = decoded.header.components;
  const names = (list: { name: string }[]): string => list.map((c) => `'${c.name}'`).join(', ') || 'none';
  if (saved.length !== store.list.length || saved.some((info, k) => info.name !== store.list[k]!.name)) {
    throw new SnapshotError(
      `the snapshot's components are not this heap's: it has ${names(saved)}, this heap ${names(store.list)} ` +
        '(load needs the same components, defined in the same order; Heap.restore makes a new heap instead)',
    );
  }
  return store.list.map((c, k) => {
    const difference = schemaDifference(saved[k]!.schema, c.schema);
    if (difference !== null) {
      throw new SnapshotError(
        `the snapshot's component '${c.name}' is not this heap's: in the snapshot it ${difference}`,
      );
    }
    return { name: c.name, schema: c.schema, onRemove: c.onRemove };
  });
}

/**
 * The state the bytes describe, built whole and checked: the snapshot's options, `components`
 * defined in order, its queries, sections and scalars, and the finalizers given back. Throws
 * `SnapshotError` for bad bytes, `TypeError` for a missing function.
 */
export function buildState(
  decoded: DecodedHeader,
  components: ComponentSpec[],
  options: RestoreOptions,
): { state: HeapState; options: ResolvedOptions } {
  const saved = decoded.header.finalizers.length;
  if (saved > 0 && options.finalizer === undefined) {
    throw new TypeError(
      `${plural(saved, 'object')} had a finalizer, and functions are not saved: ` +
        'give them back with { finalizer: (ref) => fn }',
    );
  }
  // Resolved once, by `decodeHeader`'s plan. (The finalizer error handler is the heap's, not an
  // option of its state: see `Heap`'s `#take`.)
  const resolved = decoded.plan.options;
  let state: HeapState;
  try {
    // At the smallest capacity: `loadState` allocates every array (component columns included) at
    // the size its restore plan checked against the bytes, so none the header claims comes first.
    state = createState({ ...resolved, initialCapacity: 1 });
    for (const { name, schema, onRemove } of components) {
      checkComponentDefinition(state.components, schema, { name }, state.maxObjects + 1);
      addComponentData(state.components, name, { ...schema }, onRemove, state.columnLength, 1);
    }
  } catch (error) {
    throw new SnapshotError(`bad snapshot: its options or components are invalid (${(error as Error).message})`);
  }
  queriesToDefine(decoded.header, state.components);
  loadState(state, decoded, options, (index) => {
    const s = state;
    return ((s.color[index]! & s.liveMask) === 0 ? 0 : index + s.generation[index]! * s.codec.indexScale) as Ref;
  });
  return { state, options: resolved };
}

/**
 * `heap.load`, once the loaded state checked out: its component data moves into the heap's own
 * records (`existing`, the same components in the same order), which the component objects users
 * hold read from, and the loaded state takes that store. Queries are rebuilt on the existing
 * records with the loaded order of their members, so iteration continues exactly as saved.
 */
export function adoptComponents(loaded: HeapState, existing: HeapState): void {
  const fresh = loaded.components;
  const store = existing.components;
  const byFresh = new Map<ComponentData, ComponentData>();
  fresh.list.forEach((c, k) => {
    const mine = store.list[k]!;
    byFresh.set(c, mine);
    for (const f of c.fields) {
      if (isReferenceType(f.type)) mine.fields.find((candidate) => candidate.name === f.name)!.column = f.column;
    }
    // A numeric column stays the same array (users hold it; core/component-store.ts): the loaded
    // values are copied in, and what the heap wrote beyond them is cleared. Only pages either heap
    // wrote are touched, so the rest stays unbacked by memory.
    adoptNumericColumns(mine, c, Math.max(existing.top, loaded.top));
    mine.members = c.members;
    mine.memberCount = c.memberCount;
    mine.membersWritten = c.membersWritten;
    mine.position = c.position;
    mine.queries.length = 0;
  });
  store.queries.clear();
  for (const q of fresh.queries.values()) {
    const query = makeQueryData(
      q.key,
      q.all.map((c) => byFresh.get(c)!),
      q.none.map((c) => byFresh.get(c)!),
      q.dense,
      q.count,
      q.denseWritten,
      q.position,
    );
    for (const c of query.all) c.queries.push(query);
    for (const c of query.none) c.queries.push(query);
    store.queries.set(query.key, query);
  }
  rebuildMasks(store, loaded.columnLength);
  loaded.components = store;
}
