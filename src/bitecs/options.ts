/**
 * What a game declares to the bitECS bridge (`createCollector(world, options)`): the fields that
 * hold entity ids, the root components and the relations that are edges; and their validation,
 * which throws a `TypeError`/`RangeError` naming the bad value before anything is built.
 *
 * An id field is an integer typed array or a plain array of integers; a field holding a list of ids
 * per entity is declared `many: true`. The stores are checked when the collector is made (every
 * entry present then) and again, entry by entry, as `collect()` reads them: a game fills its
 * stores after making the collector, and a list found where an id belongs (or the reverse) would
 * otherwise be read as a dangling id and cleared, and what only it reached removed.
 */
import { $internal, isRelation, type Relation, type World, type WorldContext } from 'bitecs';
import { describe } from '../core/handle.ts';

/**
 * An integer typed array or plain array of integers indexed by entity id, holding entity ids (a
 * bitECS SoA field). Not a float array: `Float32Array` cannot hold ids past 2^24 exactly, and a
 * fraction names no entity. `Uint32Array` holds every bitECS id, versioned ones included.
 */
export type IdColumn =
  | number[]
  | Uint32Array
  | Int32Array
  | Uint16Array
  | Int16Array
  | Uint8Array
  | Int8Array;

/** A plain array indexed by entity id, holding per entity a list of entity ids (or nothing). */
export type IdLists = (IdColumn | undefined | null)[];

/**
 * A declared reference field. `none`: its own "no entity" value. `many`: `store[eid]` is a list of
 * entity ids (children, inventory...). `weak`: the field does not keep its target alive, and is
 * cleared once the target is removed (a homing missile's target, a "last attacker").
 */
export type RefField =
  | { store: IdColumn; none?: number; many?: false; weak?: boolean }
  | { store: IdLists; none?: number; many: true; weak?: boolean };

/** Which way a relation's pairs are edges. A ref field on the subject would be `'subject->target'`. */
export type RelationEdge = 'subject->target' | 'target->subject';

export interface RelationEdges {
  // deno-lint-ignore no-explicit-any
  relation: Relation<any>;
  /** Default `'subject->target'`: an entity keeps alive what it points at (like a ref field). */
  edge?: RelationEdge;
}

export interface CollectorOptions {
  /**
   * The fields that hold entity ids: `Parent.eid`, or `{ store: Target.eid, none: -1 }` for a
   * field with its own "no entity" value, `{ store: Children.list, many: true }` for a field
   * holding a list of ids per entity, `{ store: Target.eid, weak: true }` for one that must not
   * keep its target alive.
   */
  refs?: readonly (IdColumn | RefField)[];
  /** Components whose entities are roots (as well as those passed to `root(eid)`, and prefabs). */
  roots?: readonly object[];
  /** Relations whose pairs are edges: a relation (`'subject->target'`) or `{ relation, edge }`. */
  // deno-lint-ignore no-explicit-any
  relations?: readonly (Relation<any> | RelationEdges)[];
  /**
   * The "no entity" value of every field that does not name its own. Default 0: bitECS 0.4 gives
   * out ids from 1, so 0 never names an entity.
   */
  none?: number;
  /**
   * Allows a collector with no root components (`roots` missing or empty). Its only roots are then
   * prefabs and the entities given to `root(eid)`, and a `collect()` before any `root(eid)` removes
   * every other entity of the world; so this must be asked for, not fallen into. Default false.
   */
  allowNoRoots?: boolean;
}

/** Edge modes per declared relation. `BOTH` for relations created with `autoRemoveSubject`. */
export const SUBJECT_TO_TARGET = 1;
export const TARGET_TO_SUBJECT = 2;
export const BOTH = 3;

/** The largest entity id bitECS can give out (ids are unsigned 32-bit, version bits included). */
export const MAX_EID = 0xffff_ffff;

/** bitECS's own key for a relation's settings (a global symbol, the same in every copy). */
const RELATION_DATA = Symbol.for('bitecs-relationData');

/** Declared fields of one kind, with their "no entity" values and names for messages (`refs[2]`). */
export interface Fields {
  /** One id per entity. */
  readonly stores: IdColumn[];
  readonly nones: number[];
  readonly labels: string[];
  /** A list of ids per entity. */
  readonly lists: IdLists[];
  readonly listNones: number[];
  readonly listLabels: string[];
}

/** The declarations, validated. */
export interface Declarations {
  readonly index: WorldContext['entityIndex'];
  readonly strong: Fields;
  readonly weak: Fields;
  readonly rootComponents: object[];
  // deno-lint-ignore no-explicit-any
  readonly relations: Relation<any>[];
  readonly relationModes: number[];
}

// ---- validation ----------------------------------------------------------------------------------

/** The world's bitECS context, or a `TypeError` naming what was given instead. */
export function contextOf(world: unknown, what = 'world'): WorldContext {
  const ctx = typeof world === 'object' && world !== null
    ? (world as { [$internal]?: WorldContext })[$internal]
    : undefined;
  const index = ctx?.entityIndex;
  if (
    ctx === undefined || typeof index !== 'object' || index === null || !Array.isArray(index.dense) ||
    !(ctx.entityComponents instanceof Map)
  ) {
    throw new TypeError(
      `${what} is ${describe(world)}: not a bitECS 0.4 world (make one with createWorld(); deleteWorld() unmakes it)`,
    );
  }
  return ctx;
}

/** The typed arrays that can be id fields: integer ones (not clamped, float or bigint). */
const ID_ARRAYS = [Uint32Array, Int32Array, Uint16Array, Int16Array, Uint8Array, Int8Array];
const ID_ARRAY_NAMES = 'Uint32Array, Int32Array, Uint16Array, Int16Array, Uint8Array or Int8Array';

function isIdTypedArray(value: unknown): value is Exclude<IdColumn, number[]> {
  for (const type of ID_ARRAYS) if (value instanceof type) return true;
  return false;
}

/**
 * Whether `value` is what a 'many' field may hold for an entity: an array or an integer typed
 * array. `createCollector` and `collect()` both decide by it, so a list refused when the collector
 * is made (a `Float32Array`, an array-like object) is refused when a game stores it later too.
 */
export function isIdList(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || isIdTypedArray(value);
}

/** Any array or typed array: what a game might store as a list, or pass as a store. */
function isListLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** "an array", "a Float32Array", or `describe` for anything else. */
function describeStore(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return describe(value);
}

/**
 * Why `value`, read from `what` (`refs[2]`) at `where` (`for entity 7`), is neither an entity id
 * nor a number that names no entity: undefined when it is an integer (live or not, `collect()`
 * decides), else the error to throw. `many` tells what the store was declared as, for the hint.
 */
export function entryError(value: unknown, what: string, where: string, many: boolean): Error | undefined {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return undefined;
    return new RangeError(`${what} holds ${describe(value)} ${where}: not an entity id (ids are integers)`);
  }
  if (isListLike(value)) {
    return new TypeError(
      many
        ? `${what} holds ${describeStore(value)} ${where}, inside a list: a list holds entity ids, not lists`
        : `${what} holds ${
          describeStore(value)
        } ${where}: a field holding a list of ids per entity is declared { store, many: true }`,
    );
  }
  return new TypeError(`${what} holds ${describe(value)} ${where}: not an entity id (a number)`);
}

/**
 * Why `list`, read from the `many` field `what` for entity `eid`, is not a list of ids (an array or
 * an integer typed array; `undefined` and `null` mean none): undefined when it is one.
 */
export function listError(list: unknown, what: string, eid: number): Error | undefined {
  if (list === undefined || list === null || isIdList(list)) return undefined;
  const hint = typeof list === 'number'
    ? ' (a single id: declare the field without many: true)'
    : ArrayBuffer.isView(list)
    ? ` (an id list is an array or a ${ID_ARRAY_NAMES})`
    : '';
  return new TypeError(
    `${what} holds ${
      describeStore(list)
    } for entity ${eid}: a 'many' field holds a list of entity ids per entity${hint}`,
  );
}

/** An id store: an integer typed array, or a plain array whose present entries are all integers. */
function checkIdStore(store: unknown, what: string): IdColumn {
  if (isIdTypedArray(store)) return store;
  if (Array.isArray(store)) {
    for (let eid = 0; eid < store.length; eid++) {
      const v: unknown = store[eid];
      if (v === undefined) continue; // a hole: no entity
      const error = entryError(v, what, `for entity ${eid}`, false);
      if (error !== undefined) throw error;
    }
    return store as number[];
  }
  if (ArrayBuffer.isView(store) && !(store instanceof DataView)) {
    throw new TypeError(
      `${what} is ${describeStore(store)}: an id field is a ${ID_ARRAY_NAMES}, or an array of integers ` +
        '(a float array can hold fractions and, as Float32Array, not every id exactly)',
    );
  }
  throw new TypeError(
    `${what} is ${describe(store)}: expected an integer typed array or an array indexed by entity id`,
  );
}

/** A 'many' store: a plain array whose present entries are lists of integers (or undefined/null). */
function checkListStore(store: unknown, what: string, none: number): IdLists {
  if (!Array.isArray(store)) {
    throw new TypeError(
      `${what} is ${describeStore(store)}: a 'many' field is an array holding a list of ids per entity`,
    );
  }
  for (let eid = 0; eid < store.length; eid++) {
    const list: unknown = store[eid];
    const error = listError(list, what, eid);
    if (error !== undefined) throw error;
    if (list === undefined || list === null) continue;
    const entries = list as ArrayLike<unknown>;
    if (!Array.isArray(list)) checkNone(none, `${what}'s "no entity" value`, list as IdColumn);
    for (let k = 0; k < entries.length; k++) {
      const entryProblem = entryError(entries[k], what, `for entity ${eid} at list index ${k}`, true);
      if (entryProblem !== undefined) throw entryProblem;
    }
  }
  return store as IdLists;
}

/** A "no entity" value: an integer the field can hold exactly (so `store[eid] === none` can be true). */
function checkNone(none: unknown, what: string, store: IdColumn | undefined): number {
  if (typeof none !== 'number') throw new TypeError(`${what} must be a number, got ${describe(none)}`);
  if (Number.isNaN(none)) throw new RangeError(`${what} is NaN, which no field can compare equal to`);
  if (!Number.isInteger(none)) throw new RangeError(`${what} ${describe(none)} is not an integer`);
  if (store !== undefined && !Array.isArray(store)) {
    const probe = new (store.constructor as new (values: number[]) => IdColumn)([none]);
    if (probe[0] !== none) {
      throw new RangeError(
        `${what} ${describe(none)} cannot be stored in ${describeStore(store)} (it reads back as ${probe[0]})`,
      );
    }
  }
  return none;
}

/** A well-formed entity id: an integer from 0 to 2^32 - 1 (`TypeError` for non-numbers, else `RangeError`). */
export function checkEid(eid: unknown, what: string): number {
  if (typeof eid !== 'number') throw new TypeError(`${what} must be an entity id (a number), got ${describe(eid)}`);
  if (!Number.isInteger(eid) || eid < 0 || eid > MAX_EID) {
    throw new RangeError(`${what} ${describe(eid)} is not an entity id (an integer from 0 to 2^32 - 1)`);
  }
  return eid;
}

function listOf(value: unknown, what: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    const hint = isListLike(value) ? ` (to declare one field, write [${what === 'refs' ? 'store' : 'it'}])` : '';
    throw new TypeError(`${what} must be a list, got ${describe(value)}${hint}`);
  }
  return value;
}

const OPTION_KEYS = ['refs', 'roots', 'relations', 'none', 'allowNoRoots'];
const FIELD_KEYS = ['store', 'none', 'many', 'weak'];
const RELATION_KEYS = ['relation', 'edge'];

function checkKeys(value: object, allowed: string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${what} has an unknown key '${key}' (known: ${allowed.join(', ')})`);
    }
  }
}

/** Validates the world and every declaration; throws before building anything. */
export function readOptions(world: World, options: CollectorOptions | undefined): Declarations {
  const ctx = contextOf(world);
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  const o: CollectorOptions = options ?? {};
  checkKeys(o, OPTION_KEYS, 'options');
  const defaultNone = o.none === undefined ? 0 : checkNone(o.none, 'options.none', undefined);
  if (o.allowNoRoots !== undefined && typeof o.allowNoRoots !== 'boolean') {
    throw new TypeError(`options.allowNoRoots must be a boolean, got ${describe(o.allowNoRoots)}`);
  }

  const strong: Fields = { stores: [], nones: [], labels: [], lists: [], listNones: [], listLabels: [] };
  const weak: Fields = { stores: [], nones: [], labels: [], lists: [], listNones: [], listLabels: [] };
  // Each store once: the same array declared twice (or strong and weak) would be read and
  // cleared twice, and which declaration wins would be an accident of order.
  const declared = new Map<unknown, string>();
  const once = (store: unknown, what: string): void => {
    const first = declared.get(store);
    if (first !== undefined) throw new TypeError(`${what} is the same store as ${first}: declare each field once`);
    declared.set(store, what);
  };
  listOf(o.refs, 'refs').forEach((field, k) => {
    const what = `refs[${k}]`;
    if (isListLike(field)) {
      const store = checkIdStore(field, what);
      once(store, what);
      strong.stores.push(store);
      strong.nones.push(checkNone(defaultNone, 'options.none', store));
      strong.labels.push(what);
      return;
    }
    if (typeof field !== 'object' || field === null) {
      throw new TypeError(
        `${what} is ${describe(field)}: expected an array indexed by entity id, or { store, none?, many?, weak? }`,
      );
    }
    checkKeys(field, FIELD_KEYS, what);
    const f = field as { store?: unknown; none?: unknown; many?: unknown; weak?: unknown };
    for (const flag of ['many', 'weak'] as const) {
      if (f[flag] !== undefined && typeof f[flag] !== 'boolean') {
        throw new TypeError(`${what}.${flag} must be a boolean, got ${describe(f[flag])}`);
      }
    }
    const kind = f.weak === true ? weak : strong;
    if (f.many === true) {
      const none = f.none === undefined ? defaultNone : checkNone(f.none, `${what}.none`, undefined);
      const lists = checkListStore(f.store, `${what}.store`, none);
      once(lists, what);
      kind.lists.push(lists);
      kind.listNones.push(none);
      kind.listLabels.push(what);
    } else {
      const store = checkIdStore(f.store, `${what}.store`);
      once(store, what);
      kind.stores.push(store);
      kind.nones.push(checkNone(f.none === undefined ? defaultNone : f.none, `${what}.none`, store));
      kind.labels.push(what);
    }
  });

  const rootComponents: object[] = [];
  listOf(o.roots, 'roots').forEach((component, k) => {
    if ((typeof component !== 'object' && typeof component !== 'function') || component === null) {
      throw new TypeError(
        `roots[${k}] is ${describe(component)}: roots lists components (objects); ` +
          'root a single entity with collector.root(eid)',
      );
    }
    rootComponents.push(component);
  });

  // deno-lint-ignore no-explicit-any
  const relations: Relation<any>[] = [];
  const relationModes: number[] = [];
  listOf(o.relations, 'relations').forEach((entry, k) => {
    const what = `relations[${k}]`;
    let relation: unknown = entry;
    let edge: unknown = 'subject->target';
    if (!isRelation(entry)) {
      if (typeof entry !== 'object' || entry === null) {
        throw new TypeError(
          `${what} is ${describe(entry)}: expected a relation (createRelation()) or { relation, edge }`,
        );
      }
      checkKeys(entry, RELATION_KEYS, what);
      relation = (entry as RelationEdges).relation;
      if ((entry as RelationEdges).edge !== undefined) edge = (entry as RelationEdges).edge;
      if (!isRelation(relation)) {
        throw new TypeError(`${what}.relation is ${describe(relation)}: not a bitECS relation (createRelation())`);
      }
    }
    if (edge !== 'subject->target' && edge !== 'target->subject') {
      throw new TypeError(`${what}.edge must be 'subject->target' or 'target->subject', got ${describe(edge)}`);
    }
    let mode = edge === 'subject->target' ? SUBJECT_TO_TARGET : TARGET_TO_SUBJECT;
    // bitECS removes the subjects of a removed target when the relation has `autoRemoveSubject`:
    // a reached subject must keep its targets, or removing them would remove it too.
    const data = (relation as { [RELATION_DATA]?: { autoRemoveSubject?: boolean } })[RELATION_DATA];
    if (data?.autoRemoveSubject === true) mode = BOTH;
    // deno-lint-ignore no-explicit-any
    relations.push(relation as Relation<any>);
    relationModes.push(mode);
  });
  // Last, so that a malformed declaration is reported as such first.
  if (rootComponents.length === 0 && o.allowNoRoots !== true) {
    throw new TypeError(
      `options.roots is ${o.roots === undefined ? 'missing' : 'empty'}: with no root components, the only roots are ` +
        'prefabs and the entities given to root(eid), and collect() before any root(eid) removes every entity. ' +
        'List root components (roots: [Player, Level]), or pass allowNoRoots: true if that is what you mean',
    );
  }
  return { index: ctx.entityIndex, strong, weak, rootComponents, relations, relationModes };
}
