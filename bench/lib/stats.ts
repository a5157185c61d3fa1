/** Order statistics over plain arrays of numbers (milliseconds, nanoseconds, bytes). */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile: the smallest value with at least fraction `q` of the values at or below it. */
export function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export function max(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => (b > a ? b : a), -Infinity);
}

export function min(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => (b < a ? b : a), Infinity);
}

export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** The pause statistics the frame-time suites report. */
export interface Spread {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function spread(xs: readonly number[]): Spread {
  return { count: xs.length, p50: percentile(xs, 0.5), p99: percentile(xs, 0.99), max: max(xs) };
}
