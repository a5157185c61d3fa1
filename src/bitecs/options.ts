/**
 * What a game declares to the bitECS bridge (`createCollector(world, options)`): the fields that
 * hold entity ids, the root components and the relations that are edges; and their validation,
 * which throws a `TypeError`/`RangeError` naming the bad value before anything is built.
 */
import { $internal, isRelation, type Relation, type World, type WorldContext } from 'bitecs';
import { describe } from '../core/handle.ts';

/** A typed array or plain array indexed by entity id, holding entity ids (a bitECS SoA field). */
export type IdColumn =
  | number[]
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array;

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
}

/** Edge modes per declared relation. `BOTH` for relations created with `autoRemoveSubject`. */
export const SUBJECT_TO_TARGET = 1;
export const TARGET_TO_SUBJECT = 2;
export const BOTH = 3;

/** The largest entity id bitECS can give out (ids are unsigned 32-bit, version bits included). */
export const MAX_EID = 0xffff_ffff;

/** bitECS's own key for a relation's settings (a global symbol, the same in every copy). */
const RELATION_DATA = Symbol.for('bitecs-relationData');

/** Declared fields of one kind, with their "no entity" values. */
export interface Fields {
  /** One id per entity. */
  readonly stores: IdColumn[];
  readonly nones: number[];
  /** A list of ids per entity. */
  readonly lists: IdLists[];
  readonly listNones: number[];
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

function isIdColumn(value: unknown): value is IdColumn {
  if (Array.isArray(value)) return true;
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array);
}

function typedName(value: object): string {
  return Array.isArray(value) ? 'an array' : `a ${value.constructor.name}`;
}

/** A "no entity" value: a number the field can hold exactly (so `store[eid] === none` can be true). */
function checkNone(none: unknown, what: string, store: IdColumn | IdLists | undefined): number {
  if (typeof none !== 'number') throw new TypeError(`${what} must be a number, got ${describe(none)}`);
  if (Number.isNaN(none)) throw new RangeError(`${what} is NaN, which no field can compare equal to`);
  if (store !== undefined && !Array.isArray(store)) {
    const probe = new (store.constructor as new (values: number[]) => IdColumn)([none]);
    if (probe[0] !== none) {
      throw new RangeError(
        `${what} ${describe(none)} cannot be stored in ${typedName(store)} (it reads back as ${probe[0]})`,
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
    const hint = isIdColumn(value) ? ` (to declare one field, write [${what === 'refs' ? 'store' : 'it'}])` : '';
    throw new TypeError(`${what} must be a list, got ${describe(value)}${hint}`);
  }
  return value;
}

const OPTION_KEYS = ['refs', 'roots', 'relations', 'none'];
const FIELD_KEYS = ['store', 'none', 'many', 'weak'];
const RELATION_KEYS = ['relation', 'edge'];

function checkKeys(value: object, allowed: string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${what} has an unknown key '${key}' (known: ${allowed.join(', ')})`);
    }
  }
}

/** Validates everything and builds the state; throws before building anything. */
/** Validates the world and every declaration; throws before building anything. */
export function readOptions(world: World, options: CollectorOptions | undefined): Declarations {
  const ctx = contextOf(world);
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  const o: CollectorOptions = options ?? {};
  checkKeys(o, OPTION_KEYS, 'options');
  const defaultNone = o.none === undefined ? 0 : checkNone(o.none, 'options.none', undefined);

  const strong: Fields = { stores: [], nones: [], lists: [], listNones: [] };
  const weak: Fields = { stores: [], nones: [], lists: [], listNones: [] };
  listOf(o.refs, 'refs').forEach((field, k) => {
    const what = `refs[${k}]`;
    if (isIdColumn(field)) {
      strong.stores.push(field);
      strong.nones.push(checkNone(defaultNone, 'options.none', field));
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
    if (!isIdColumn(f.store)) {
      throw new TypeError(
        `${what}.store is ${describe(f.store)}: expected a typed array or an array indexed by entity id`,
      );
    }
    const kind = f.weak === true ? weak : strong;
    if (f.many === true) {
      if (!Array.isArray(f.store)) {
        throw new TypeError(
          `${what}.store is ${typedName(f.store)}: a 'many' field is an array holding a list per entity`,
        );
      }
      kind.lists.push(f.store as unknown as IdLists);
      kind.listNones.push(f.none === undefined ? defaultNone : checkNone(f.none, `${what}.none`, undefined));
    } else {
      kind.stores.push(f.store);
      kind.nones.push(checkNone(f.none === undefined ? defaultNone : f.none, `${what}.none`, f.store));
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
  return { index: ctx.entityIndex, strong, weak, rootComponents, relations, relationModes };
}
