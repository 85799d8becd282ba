/**
 * Running it every day (issue 26): the wait for the expected release, the history, the alerts and
 * the status page. The end-to-end cases run the suite against the built-in site as a person
 * does, with a local webhook receiver (node:http) and a local SMTP receiver (smtp-server); the
 * status page is made from the history those runs wrote, opened in Chromium and pictured.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { chromium } from '@playwright/test';
import { SMTPServer } from 'smtp-server';
import { loadSettings, unconfiguredTarget } from '../../helpers/config/index.ts';
import { alertFor, composeAlert, webhookBody } from '../../helpers/daily/alerts.ts';
import {
  appendHistory,
  historyEntry,
  readHistory,
  type HistoryEntry,
} from '../../helpers/daily/history.ts';
import { mergeVerdicts } from '../../helpers/daily/record.ts';
import { summaryMarkdown } from '../../helpers/daily/summary.ts';
import { waitForRelease } from '../../helpers/release.ts';
import type { Verdict } from '../../reporters/verdict.ts';
import { assertOneClearLine, playwright, readVerdict, ROOT, scratch, serve } from './run.ts';

const servers: http.Server[] = [];
after(() => servers.forEach((server) => server.close()));

/** A history line with `status`, made up for the pure cases. */
function run(status: HistoryEntry['status'], n = 0): HistoryEntry {
  return {
    runId: `run-${n}-${status}`,
    target: 'production',
    status,
    startedAt: new Date(Date.UTC(2026, 11, 1, 3, n)).toISOString(),
    durationMs: 1000,
    release: 'r1',
    counts: {
      total: 2,
      passed: status === 'passed' ? 2 : 1,
      failed: status === 'failed' ? 1 : 0,
      flaky: 0,
      interrupted: 0,
      skipped: 0,
      didNotRun: 0,
      refused: 0,
      notApplicable: 0,
    },
    failed: status === 'failed' ? ['smoke.spec.ts › the CSS arrives: expected 200, got 404'] : [],
    flaky: [],
    refused: [],
  };
}

describe('when to alert, read from the history', () => {
  const history = (...statuses: HistoryEntry['status'][]) => statuses.map((s, i) => run(s, i));
  it('alerts once when the red runs in a row reach the threshold, never again while red', () => {
    assert.equal(alertFor(history('passed', 'failed'), 1), 'red');
    assert.equal(alertFor(history('passed', 'failed', 'failed'), 1), undefined);
    assert.equal(alertFor(history('passed', 'failed'), 2), undefined);
    assert.equal(alertFor(history('passed', 'failed', 'failed'), 2), 'red');
    assert.equal(alertFor(history('failed', 'failed', 'failed'), 2), undefined);
  });
  it('says recovered once, on the first green run after an alert; an interrupted run counts neither way', () => {
    assert.equal(alertFor(history('failed', 'passed'), 1), 'recovered');
    assert.equal(alertFor(history('failed', 'passed', 'passed'), 1), undefined);
    assert.equal(alertFor(history('passed', 'failed', 'passed'), 2), undefined); // never alerted
    assert.equal(alertFor(history('failed', 'interrupted', 'failed'), 2), 'red');
    assert.equal(alertFor(history('failed', 'interrupted'), 1), undefined);
  });
  it('the message names target, release and each failure, links the report, and carries no secret', () => {
    const red = { ...run('failed'), failed: ['a › b: password s3cr3t-Pa55word refused'] };
    const alert = composeAlert('red', red, 2, 'https://ci.example/run/1', ['s3cr3t-Pa55word']);
    assert.match(
      alert.subject,
      /production is red \(r1\): 1 failed, 1 passed, 2 red runs in a row/,
    );
    assert.deepEqual(alert.failures, ['a › b: password [redacted] refused']);
    assert.match(alert.text, /Report: https:\/\/ci\.example\/run\/1/);
    assert.doesNotMatch(alert.text + webhookBody(alert, 'json'), /s3cr3t/);
    assert.deepEqual(Object.keys(JSON.parse(webhookBody(alert, 'text')) as object), ['text']);
  });
});

describe('the history file', () => {
  it('keeps the newest HISTORY_MAX_RUNS runs, one JSON line each, and skips a torn line', () => {
    const dir = path.join(scratch, 'bounded');
    for (let i = 0; i < 7; i++) appendHistory(dir, run(i % 2 ? 'failed' : 'passed', i), 5);
    const kept = readHistory(path.join(dir, 'production.jsonl'));
    assert.deepEqual(
      kept.map((r) => r.runId),
      [2, 3, 4, 5, 6].map((i) => run(i % 2 ? 'failed' : 'passed', i).runId),
    );
  });
  it('a sharded run merges into one verdict: counts summed, status by the verdict rule', () => {
    const shard = (failed: number): Verdict => ({
      runId: 'r',
      status: failed ? 'failed' : 'passed',
      startedAt: '2026-12-01T03:00:00.000Z',
      durationMs: 1000 + failed,
      targets: [{ name: 'production', url: 'u', readOnly: true, release: 'r9' }],
      counts: { ...run('passed').counts, failed, total: 2 + failed },
      refused: [],
      failed: failed ? [{ test: 't', project: 'production', error: 'e' }] : [],
      interrupted: [],
      infrastructureRetries: [],
      measurements: [],
    });
    const merged = mergeVerdicts([shard(0), shard(1), shard(0)]);
    assert.equal(merged.status, 'failed');
    assert.equal(merged.counts.passed, 6);
    assert.equal(merged.counts.failed, 1);
    assert.equal(merged.durationMs, 1001);
    assert.equal(mergeVerdicts([shard(0), shard(0)]).status, 'passed');
  });
});

describe('EXPECT_RELEASE: the gate waits for the release it is meant to test', () => {
  it('waits while the old release is live and goes on once the new one is', async () => {
    let release = 'r-old';
    const url = await serve((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ release }));
    }, servers);
    const target = {
      ...unconfiguredTarget('staging'),
      releaseProbe: {
        kind: 'http' as const,
        method: 'GET',
        url: `${url}/__release__`,
        pick: { json: 'release' },
      },
      expectRelease: 'r-new',
    };
    const started = Date.now();
    setTimeout(() => (release = 'r-new'), 1_500);
    assert.equal(await waitForRelease(target, 30_000), undefined);
    assert.ok(Date.now() - started >= 1_500, 'it went on before the new release was live');
    release = 'r-old';
    assert.match(
      (await waitForRelease(target, 1_000)) ?? '',
      /^staging still runs r-old after 1 s, not STAGING_EXPECT_RELEASE=r-new/,
    );
  });
  it('a bad setting is one line', () => {
    assert.throws(
      () =>
        loadSettings(
          {
            SUPERLISTS_RUN_ID: 'x',
            STAGING_URL: 'https://staging.example.com',
            STAGING_EXPECT_RELEASE: 'r2',
          },
          ['--project=staging'],
        ),
      /^ConfigError: STAGING_EXPECT_RELEASE is set but STAGING_RELEASE_PROBE is not/,
    );
    assert.throws(
      () =>
        loadSettings({ SUPERLISTS_RUN_ID: 'x', ALERT_SMTP_URL: 'smtp://127.0.0.1:25' }, [
          '--project=staging',
        ]),
      /ALERT_SMTP_URL is set but ALERT_MAIL_TO is not/,
    );
  });
});

describe('every day, end to end against the built-in site', () => {
  const history = path.join(scratch, 'history');
  const hooks: Record<string, unknown>[] = [];
  const mails: string[] = [];
  let smtp: SMTPServer;
  let env: Record<string, string>;
  const verdicts: Verdict[] = [];

  before(async () => {
    const hook = await serve((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        hooks.push(JSON.parse(body) as Record<string, unknown>);
        response.end('ok');
      });
    }, servers);
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
        stream.on('end', () => {
          mails.push(text);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    env = {
      HISTORY_DIR: history,
      // The webhook's address is a secret (a Slack hook's path is its password): never in a message.
      ALERT_WEBHOOK_URL: `${hook}/hooks/s3cr3t-Pa55word`,
      ALERT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      ALERT_MAIL_TO: 'team@example.com',
      REPORT_URL: 'https://ci.example.com/runs/42',
      EXPECT_RELEASE_TIMEOUT_MS: '3000',
    };
  });
  after(() => smtp?.close());

  const redRun = async () => {
    const red = await playwright(['--grep', '@smoke'], {
      ...env,
      LOCAL_EXPECT_RELEASE: 'release-that-is-not-live',
    });
    // The built-in site's own lines (Playwright prefixes its webServer's output) are not the run's.
    const own = red.output
      .split('\n')
      .filter((line) => !line.startsWith('[superlists] '))
      .join('\n');
    assertOneClearLine(
      { ...red, output: own },
      /local still runs local-\S+ after 3 s, not LOCAL_EXPECT_RELEASE=release-that-is-not-live/,
    );
    const verdict = readVerdict(
      'local',
      readHistory(path.join(history, 'local.jsonl')).at(-1)!.runId,
    );
    assert.equal(verdict.status, 'failed');
    assert.match(verdict.problem ?? '', /LOCAL_EXPECT_RELEASE=release-that-is-not-live/);
    verdicts.push(verdict);
  };

  it('a red run (the expected release never went live) alerts once by webhook and by mail', async () => {
    await redRun();
    assert.equal(hooks.length, 1, JSON.stringify(hooks));
    assert.equal(hooks[0]!.kind, 'red');
    assert.equal(hooks[0]!.target, 'local');
    assert.match(String(hooks[0]!.text), /local is red \(local-\S+\)/);
    assert.match(String(hooks[0]!.text), /Report: https:\/\/ci\.example\.com\/runs\/42/);
    assert.equal(mails.length, 1);
    assert.match(mails[0]!, /Subject: superlists-live-tests: local is red/);
    for (const message of [JSON.stringify(hooks), ...mails]) assert.doesNotMatch(message, /s3cr3t/);
  });

  it('a second red run sends nothing more', async () => {
    await redRun();
    assert.equal(hooks.length, 1);
    assert.equal(mails.length, 1);
  });

  it('a green run sends one recovery, and its line joins the history', async () => {
    const green = await playwright(['--grep', '@deploy|no console errors'], env);
    assert.equal(green.code, 0, green.output);
    const last = readHistory(path.join(history, 'local.jsonl')).at(-1)!;
    const verdict = readVerdict('local', last.runId);
    assert.equal(verdict.status, 'passed');
    verdicts.push(verdict);
    assert.equal(hooks.length, 2);
    assert.equal(hooks[1]!.kind, 'recovered');
    assert.equal(mails.length, 2);
    assert.match(mails[1]!, /Subject: superlists-live-tests: local recovered/);
    assert.equal(last.status, 'passed');
    assert.ok(last.deploy?.downtimeMs !== undefined, 'the deploy spec measured no downtime');
    assert.match(summaryMarkdown(last), /\| deploy downtime \(longest gap\) \| \d+ ms \|/);
  });

  it('npm run status-page draws the history in one page that Chromium shows', async () => {
    // Days before: the history writer fed with the real verdicts above, dated earlier.
    const days = 5;
    for (let d = days; d >= 1; d--) {
      for (const [i, verdict] of verdicts.entries()) {
        if ((d + i) % 3 === 0) continue;
        const startedAt = new Date(Date.parse(verdict.startedAt) - d * 86_400_000 + i * 600_000);
        const earlier = historyEntry(
          { ...verdict, runId: `${verdict.runId}-${d}`, startedAt: startedAt.toISOString() },
          'local',
        );
        appendHistory(history, earlier, 1_000);
      }
    }
    const runs = readHistory(path.join(history, 'local.jsonl')).sort((a, b) =>
      a.startedAt.localeCompare(b.startedAt),
    );
    assert.ok(runs.length >= 5, `only ${runs.length} runs in the history`);
    const out = path.join(scratch, 'status-page.html');
    const made = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/status-page.ts', '--out', out],
      { cwd: ROOT, env: { ...process.env, HISTORY_DIR: history }, encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    const html = readFileSync(out, 'utf8');
    assert.doesNotMatch(
      html,
      /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/,
      'the page fetches or runs something',
    );
    const { browserPath } = loadSettings(
      {
        ...process.env,
        SUPERLISTS_RUN_ID: 'selftest',
        SUPERLISTS_LOCAL_PORT: '1',
        ENV_FILE: path.join(scratch, 'empty.env'),
      },
      [],
    ).suite;
    const browser = await chromium.launch({ executablePath: browserPath });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      await page.goto(`file://${out}`);
      const card = page.locator('[data-target="local"]');
      await card.locator('.badge').waitFor();
      assert.equal(await card.locator('.badge').textContent(), 'passed');
      assert.equal(
        await card.locator('[data-field="release"]').textContent(),
        verdicts.at(-1)!.targets[0]!.release,
      );
      const passRate = page.locator('[data-chart="local pass rate per day"] rect.bar');
      const daysSeen = new Set(runs.map((r) => r.startedAt.slice(0, 10))).size;
      assert.equal(await passRate.count(), daysSeen);
      assert.equal(
        await page.locator('[data-chart="local duration"] rect.bar').count(),
        runs.length,
      );
      const deploys = runs.filter((r) => r.deploy?.downtimeMs !== undefined).length;
      assert.ok(deploys >= 1);
      assert.equal(
        await page.locator('[data-chart="local downtime per deploy"] rect.bar').count(),
        deploys,
      );
      assert.ok(await page.locator('[data-field="flakiest"]').isVisible());
      const shot = path.join(ROOT, 'reports', 'status-page.png');
      mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(existsSync(shot));
    } finally {
      await browser.close();
    }
  });
});
