/**
 * The availability watcher's probes as a small plain SVG: latency over time, failed probes as red
 * marks, the deploy command's start and end, the moment the new release was seen, and the longest
 * gap shaded. Pure: probes in, SVG text out (no library: a few dozen elements are clearer by hand).
 */
import type { ProbeSample } from './availability.ts';

/** What the chart shows; every time is in ms after the watcher started. */
export interface ChartInput {
  samples: readonly ProbeSample[];
  durationMs: number;
  /** The deploy command's start and end. */
  deploy: { startMs: number; endMs: number };
  /** When the spec first saw the new release, if it did. */
  releaseSeenMs?: number;
  longestGap?: { fromMs: number; toMs: number };
  /** A line above the chart, e.g. `local: 78 probes, 65 failed, longest gap 6542 ms`. */
  title: string;
}

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { left: 56, right: 16, top: 30, bottom: 36 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

/** Text safe inside an XML element or attribute. */
const escape = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** A round step for `span` split in about `count` ticks (1, 2 or 5 times a power of ten). */
function tickStep(span: number, count: number): number {
  const raw = Math.max(span / count, 1e-9);
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw)!;
}

const num = (value: number) => String(Math.round(value * 10) / 10);

/** The chart of one deploy's availability, as an SVG document. */
export function availabilityChart(input: ChartInput): string {
  const end = Math.max(input.durationMs, input.deploy.endMs, 1);
  const top = Math.max(100, ...input.samples.map((s) => s.latencyMs)) * 1.1;
  const x = (ms: number) => PAD.left + (Math.min(Math.max(ms, 0), end) / end) * PLOT_W;
  const y = (ms: number) => PAD.top + PLOT_H - (Math.min(ms, top) / top) * PLOT_H;
  const parts: string[] = [];

  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`);
  parts.push(
    `<text x="${PAD.left}" y="18" font-size="13" font-weight="bold">${escape(input.title)}</text>`,
  );
  if (input.longestGap) {
    const { fromMs, toMs } = input.longestGap;
    parts.push(
      `<rect class="gap" x="${num(x(fromMs))}" y="${PAD.top}" width="${num(Math.max(x(toMs) - x(fromMs), 1))}" height="${PLOT_H}" fill="#f8d7da"><title>longest gap: ${Math.round(toMs - fromMs)} ms</title></rect>`,
    );
  }
  // Axes and ticks: seconds along, milliseconds up.
  const xStep = tickStep(end / 1000, 8);
  for (let s = 0; s <= end / 1000 + 1e-9; s += xStep) {
    const px = num(x(s * 1000));
    parts.push(
      `<line x1="${px}" y1="${PAD.top + PLOT_H}" x2="${px}" y2="${PAD.top + PLOT_H + 4}" stroke="#666"/>`,
      `<text x="${px}" y="${PAD.top + PLOT_H + 16}" font-size="10" text-anchor="middle">${num(s)}</text>`,
    );
  }
  const yStep = tickStep(top, 4);
  for (let ms = 0; ms <= top; ms += yStep) {
    const py = num(y(ms));
    parts.push(
      `<line x1="${PAD.left}" y1="${py}" x2="${PAD.left + PLOT_W}" y2="${py}" stroke="#eee"/>`,
      `<text x="${PAD.left - 6}" y="${py}" font-size="10" text-anchor="end" dominant-baseline="middle">${num(ms)}</text>`,
    );
  }
  parts.push(
    `<line x1="${PAD.left}" y1="${PAD.top + PLOT_H}" x2="${PAD.left + PLOT_W}" y2="${PAD.top + PLOT_H}" stroke="#333"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + PLOT_H}" stroke="#333"/>`,
    `<text x="${PAD.left + PLOT_W / 2}" y="${HEIGHT - 6}" font-size="11" text-anchor="middle">seconds since the watcher started</text>`,
    `<text x="12" y="${PAD.top + PLOT_H / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${PAD.top + PLOT_H / 2})">latency (ms)</text>`,
  );
  // Moments: the deploy command and the new release.
  const marker = (cls: string, ms: number, colour: string, label: string, row: number) => {
    const px = num(x(ms));
    parts.push(
      `<line class="${cls}" x1="${px}" y1="${PAD.top}" x2="${px}" y2="${PAD.top + PLOT_H}" stroke="${colour}" stroke-dasharray="4 3"/>`,
      // Near the right edge a label reads leftwards, so that it stays inside the chart.
      x(ms) > PAD.left + PLOT_W * 0.75
        ? `<text x="${px}" y="${PAD.top + 10 + row * 12}" font-size="10" fill="${colour}" dx="-3" text-anchor="end">${escape(label)}</text>`
        : `<text x="${px}" y="${PAD.top + 10 + row * 12}" font-size="10" fill="${colour}" dx="3">${escape(label)}</text>`,
    );
  };
  marker('deploy-start', input.deploy.startMs, '#0d6efd', 'deploy starts', 0);
  marker('deploy-end', input.deploy.endMs, '#0d6efd', 'deploy ends', 1);
  if (input.releaseSeenMs !== undefined)
    marker('release', input.releaseSeenMs, '#198754', 'new release seen', 2);
  // The probes: good ones joined by a line, failed ones as red crosses.
  const good = input.samples.filter((s) => !s.problem);
  if (good.length > 0) {
    const points = good.map((s) => `${num(x(s.atMs))},${num(y(s.latencyMs))}`).join(' ');
    parts.push(
      `<polyline class="latency" points="${points}" fill="none" stroke="#333" stroke-width="1.2"/>`,
    );
  }
  for (const sample of input.samples) {
    const px = x(sample.atMs);
    const py = y(sample.latencyMs);
    const what = sample.problem ?? String(sample.status ?? '');
    const tip = `<title>${num(sample.atMs / 1000)} s: ${escape(what)}, ${Math.round(sample.latencyMs)} ms</title>`;
    parts.push(
      sample.problem
        ? `<path class="failed" d="M${num(px - 3)},${num(py - 3)}L${num(px + 3)},${num(py + 3)}M${num(px - 3)},${num(py + 3)}L${num(px + 3)},${num(py - 3)}" stroke="#dc3545" stroke-width="1.5">${tip}</path>`
        : `<circle class="ok" cx="${num(px)}" cy="${num(py)}" r="1.6" fill="#333">${tip}</circle>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}
