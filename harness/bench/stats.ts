/** Medians, ranges and the formatting of figures. */

/** The median of `values` (NaN when there is none). */
export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (!sorted.length) return NaN;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Milliseconds as seconds with `digits` decimals, or '-' for a missing figure. */
export const seconds = (ms: number, digits = 1) =>
  Number.isFinite(ms) ? (ms / 1000).toFixed(digits) : '-';

/** "12.3 s (11.9-12.8)": the median and, for several runs, the range. */
export function med(values: number[], unit: 's' | 'MB' = 's'): string {
  const present = values.filter((v) => Number.isFinite(v));
  if (!present.length) return '-';
  const show = (v: number) => (unit === 's' ? seconds(v) : String(Math.round(v)));
  const range =
    present.length > 1 ? ` (${show(Math.min(...present))}-${show(Math.max(...present))})` : '';
  return `${show(median(present))} ${unit}${range}`;
}

/** The median of counts, or '-' when there is none. */
export const count = (values: number[]): string => {
  const m = median(values.filter((v) => Number.isFinite(v)));
  return Number.isFinite(m) ? String(m) : '-';
};

/** Merges [start, end] intervals and returns their total length. */
export function unionMs(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = [-Infinity, -Infinity];
  for (const [s, e] of sorted) {
    if (s > end) {
      if (end > start) total += end - start;
      [start, end] = [s, e];
    } else end = Math.max(end, e);
  }
  if (end > start && Number.isFinite(start)) total += end - start;
  return total;
}
