/**
 * The availability chart (helpers/availability-chart.ts): probes in, SVG out. Well-formed XML,
 * and it marks what it must: every failed probe, the deploy's start and end, the new release, the
 * longest gap; text is escaped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProbeSample } from '../../helpers/availability.ts';
import { availabilityChart } from '../../helpers/availability-chart.ts';

/** Throws unless `xml` is one well-formed element tree (tags balanced, attributes quoted, entities known). */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  const body = xml.trim();
  assert.ok(!/&(?!(lt|gt|amp|quot|apos|#\d+);)/.test(body), 'a bare & or an unknown entity');
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let match = tag.exec(body); match; match = tag.exec(body)) {
    const between = body.slice(last, match.index);
    assert.ok(!/[<>]/.test(between), `stray < or > before ${match[0]}`);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = match;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (!selfClosing) stack.push(name!);
    if (stack.length === 0 && last < body.length)
      assert.equal(body.slice(last).trim(), '', 'content after the root element');
  }
  assert.ok(!/[<>]/.test(body.slice(last)), 'a tag the checker cannot read');
  assert.deepEqual(stack, [], 'unclosed elements');
}

const count = (svg: string, pattern: RegExp) => svg.match(new RegExp(pattern, 'g'))?.length ?? 0;

describe('the availability chart', () => {
  const samples: ProbeSample[] = [
    { atMs: 0, latencyMs: 12, status: 200 },
    { atMs: 100, latencyMs: 15, status: 200 },
    { atMs: 200, latencyMs: 3, problem: 'connect ECONNREFUSED 127.0.0.1:8000' },
    { atMs: 300, latencyMs: 2000, status: 502, problem: '502' },
    { atMs: 2400, latencyMs: 40, status: 200 },
  ];
  const svg = availabilityChart({
    samples,
    durationMs: 2500,
    deploy: { startMs: 50, endMs: 2300 },
    releaseSeenMs: 2450,
    longestGap: { fromMs: 200, toMs: 2440 },
    title: 'staging: 5 probes, 2 failed <&> "quoted"',
  });

  it('is a well-formed SVG document', () => {
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assertWellFormed(svg);
  });

  it('marks each failed probe, and draws the good ones as the latency line', () => {
    assert.equal(count(svg, /class="failed"/), 2);
    assert.equal(count(svg, /class="ok"/), 3);
    assert.match(svg, /<polyline class="latency" points="(\S+,\S+ ){2}\S+,\S+"/);
    assert.match(svg, /ECONNREFUSED/);
  });

  it("marks the deploy's start and end, the new release and the longest gap", () => {
    for (const mark of ['deploy-start', 'deploy-end', 'release', 'gap'])
      assert.equal(count(svg, new RegExp(`class="${mark}"`)), 1, mark);
    assert.match(svg, /longest gap: 2240 ms/);
    // The gap starts where the first failed probe does and ends before the last good one.
    const gap = /class="gap" x="([\d.]+)" y="\d+" width="([\d.]+)"/.exec(svg)!;
    const firstFailed = /class="failed" d="M([\d.]+),/.exec(svg)!;
    assert.ok(Math.abs(Number(gap[1]) - (Number(firstFailed[1]) + 3)) < 0.2);
    assert.ok(Number(gap[2]) > 0);
  });

  it('escapes text', () => {
    assert.match(svg, /2 failed &lt;&amp;&gt; &quot;quoted&quot;/);
  });

  it('draws an empty watch without failing: no line, no gap, no release', () => {
    const empty = availabilityChart({
      samples: [],
      durationMs: 0,
      deploy: { startMs: 0, endMs: 0 },
      title: 'nothing',
    });
    assertWellFormed(empty);
    assert.equal(count(empty, /class="(latency|gap|release|failed)"/), 0);
  });
});
