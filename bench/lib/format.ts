/** Numbers and tables as the reports print them. */
import type { Table, Target } from './report.ts';

export function pow10(n: number): string {
  const e = Math.log10(n);
  return Number.isInteger(e) ? `10^${e}` : String(n);
}

/** Milliseconds from nanoseconds, with 3 significant digits. */
export function ms(ns: number): string {
  return sig(ns / 1e6);
}

/** Milliseconds given in milliseconds, 3 significant digits, 'n/a' for NaN. */
export function msOf(x: number): string {
  return Number.isNaN(x) ? 'n/a' : sig(x);
}

export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return x.toFixed(decimals);
}

export function ratio(x: number): string {
  return Number.isNaN(x) ? 'n/a' : `${sig(x)}x`;
}

export function percent(x: number): string {
  return Number.isNaN(x) ? 'n/a' : `${sig(x * 100)}%`;
}

export function megabytes(bytes: number): string {
  return Number.isNaN(bytes) ? 'n/a' : `${sig(bytes / 1e6)} MB`;
}

export function renderTable(t: Table): string {
  const widths = t.columns.map((c, j) => Math.max(c.length, ...t.rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, j) => (j === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`;
  return [`**${t.title}**`, '', line(t.columns), rule, ...t.rows.map(line)].join('\n');
}

/** The figure with its unit, as a target row shows it. */
export function figure(t: Target): string {
  const unit = t.unit ?? '';
  if (Number.isNaN(t.value)) return 'n/a';
  const v = sig(t.value);
  return unit === '' ? v : unit === 'x' || unit === '%' ? `${v}${unit}` : `${v} ${unit}`;
}

export function renderTarget(t: Target): string {
  const stretch = t.stretch === undefined ? '' : `; stretch ${t.stretch.goal}: ${t.stretch.met ? 'met' : 'not yet'}`;
  return `- ${t.met ? 'MET   ' : 'MISSED'} ${t.name}: ${figure(t)} (goal ${t.goal}${stretch})`;
}
