/** Shared by the error and fuzz suites: how an error message is expected to name a bad value. */

/** How an error message names a value (src/handle.ts `describe`, loosely: the value, or its type). */
export function token(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'string':
      return `'${value}'`;
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return String(value);
    case 'function':
      return 'function';
    case 'object':
      return value === null ? 'null' : 'object';
    default:
      return String(value);
  }
}
