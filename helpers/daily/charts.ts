/**
 * The status page's charts: a bar chart, drawn by hand as inline SVG (no library, no CDN: the page
 * is one file that opens anywhere). Pure: bars in, SVG text out.
 */

/** Text safe inside an HTML or XML element or attribute. */
export const escapeHtml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** One bar. */
export interface Bar {
  /** Under the bar (shortened when long); the whole of it is in the tooltip. */
  label: string;
  value: number;
  color: string;
  /** The tooltip (SVG <title>). */
  title: string;
}

/** The colours the page uses for a run's status. */
export const COLORS = {
  passed: '#2e7d32',
  failed: '#c62828',
  interrupted: '#9e9e9e',
  line: '#1565c0',
};

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 60, right: 12, top: 14, bottom: 48 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

/** A round step for `span` in about `count` ticks (1, 2 or 5 times a power of ten). */
function tickStep(span: number, count: number): number {
  const raw = Math.max(span / count, 1e-9);
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw)!;
}

const num = (value: number) => String(Math.round(value * 10) / 10);
/** A label cut to `max` characters, keeping its end (where releases and times differ). */
const short = (label: string, max = 14) =>
  label.length > max ? `…${label.slice(label.length - max + 1)}` : label;

/**
 * A bar chart: `bars` left to right, the y axis in `unit` from 0 to `max` (default: the largest
 * bar), with an optional dashed `limit` line (a budget). `name` labels the chart for assistive
 * technology and for the page's tests (`data-chart`).
 */
export function barChart(
  name: string,
  bars: readonly Bar[],
  options: { unit: string; max?: number; limit?: { value: number; label: string } } = { unit: '' },
): string {
  const top =
    options.max ?? Math.max(1, options.limit?.value ?? 0, ...bars.map((b) => b.value)) * 1.1;
  const y = (value: number) =>
    PAD.top + PLOT_H - (Math.min(Math.max(value, 0), top) / top) * PLOT_H;
  const parts: string[] = [];
  const step = tickStep(top, 4);
  for (let tick = 0; tick <= top + 1e-9; tick += step) {
    parts.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${num(y(tick))}" y2="${num(y(tick))}" stroke="#e0e0e0"/>`,
      `<text x="${PAD.left - 6}" y="${num(y(tick) + 4)}" font-size="11" text-anchor="end" fill="#555">${num(tick)}${escapeHtml(options.unit)}</text>`,
    );
  }
  const slot = PLOT_W / Math.max(bars.length, 1);
  const width = Math.max(Math.min(slot * 0.7, 48), 2);
  const every = Math.ceil(bars.length / 12); // at most 12 labels under the axis
  bars.forEach((bar, index) => {
    const x = PAD.left + slot * index + (slot - width) / 2;
    const height = Math.max(PAD.top + PLOT_H - y(bar.value), bar.value > 0 ? 1 : 0);
    parts.push(
      `<rect class="bar" x="${num(x)}" y="${num(PAD.top + PLOT_H - height)}" width="${num(width)}" height="${num(height)}" fill="${bar.color}"><title>${escapeHtml(bar.title)}</title></rect>`,
    );
    if (bars.length <= 24) {
      // The value over its bar: a 0 (a day with no green run, a deploy with no outage) has no bar.
      parts.push(
        `<text class="value" x="${num(x + width / 2)}" y="${num(PAD.top + PLOT_H - height - 4)}" font-size="10" text-anchor="middle" fill="${bar.color}">${num(bar.value)}${escapeHtml(options.unit)}</text>`,
      );
    }
    if (index % every === 0) {
      parts.push(
        `<text x="${num(x + width / 2)}" y="${HEIGHT - PAD.bottom + 16}" font-size="11" text-anchor="middle" fill="#333">${escapeHtml(short(bar.label))}</text>`,
      );
    }
  });
  if (options.limit) {
    const ly = num(y(options.limit.value));
    parts.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${ly}" y2="${ly}" stroke="${COLORS.failed}" stroke-dasharray="6 4"/>`,
      `<text x="${WIDTH - PAD.right}" y="${num(y(options.limit.value) - 4)}" font-size="11" text-anchor="end" fill="${COLORS.failed}">${escapeHtml(options.limit.label)}</text>`,
    );
  }
  if (!bars.length) {
    parts.push(
      `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" font-size="13" text-anchor="middle" fill="#777">no runs yet</text>`,
    );
  }
  parts.push(
    `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${PAD.top + PLOT_H}" y2="${PAD.top + PLOT_H}" stroke="#333"/>`,
  );
  return `<svg data-chart="${escapeHtml(name)}" role="img" aria-label="${escapeHtml(name)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" style="max-width:${WIDTH}px" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
