/**
 * The log seam (helpers/logs.ts): a command source (`<TARGET>_LOGS=cmd:...{since}...`, as
 * `ssh:docker logs --since {since} superlists` is on a server) marks the server's clock when a test
 * starts and, when the test fails, the lines it prints are attached to the test as file logs are.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import type { TargetSettings } from '../../helpers/config/index.ts';
import { logSourceOf } from '../../helpers/logs.ts';
import { playwright, scratch } from './run.ts';

it('a log command gets the mark as {since} and its stdout and stderr both count', async () => {
  const target = {
    logs: [],
    logsCommand: { kind: 'cmd', command: 'echo "app since {since}"; echo "traceback" >&2' },
  } as unknown as TargetSettings;
  const logs = logSourceOf(target, undefined)!;
  const mark = await logs.mark();
  assert.match(String(mark), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const [excerpt, ...more] = await logs.since(mark);
  assert.equal(more.length, 0);
  assert.equal(excerpt!.text, `app since ${String(mark)}\ntraceback`);
});

it('a failing test gets the log command lines attached, as file logs are', async () => {
  const report = path.join(scratch, 'logs-report.json');
  const run = await playwright(
    [
      '-c',
      'harness/selftest/guard.config.ts',
      '--reporter=json',
      'harness/selftest/specs/services.spec.ts',
    ],
    {
      WORKERS: '1',
      PLAYWRIGHT_JSON_OUTPUT_NAME: report,
      LOCAL_RELEASE_PROBE: 'cmd:exit 3',
      LOCAL_LOGS: 'cmd:echo gunicorn-says-hello-since-{since}',
    },
  );
  assert.equal(run.code, 1, run.output);
  // Every attachment in the JSON report, wherever the test sits in its suites.
  const attachments: { name: string; body?: string }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.attachments))
      attachments.push(...(record.attachments as { name: string; body?: string }[]));
    Object.values(record).forEach(walk);
  };
  walk(JSON.parse(readFileSync(report, 'utf8')));
  const logs = attachments.filter((attachment) => attachment.name.startsWith('server log '));
  assert.equal(logs.length, 2, JSON.stringify(attachments.map((attachment) => attachment.name)));
  for (const log of logs) {
    assert.equal(log.name, 'server log cmd:echo gunicorn-says-hello-since-{since}');
    assert.match(
      Buffer.from(log.body ?? '', 'base64').toString('utf8'),
      /^gunicorn-says-hello-since-\d{4}-\d\d-\d\dT[\d:]+Z$/,
    );
  }
});
