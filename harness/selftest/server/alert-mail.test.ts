/**
 * Issue 26's last "Done when": a red nightly alerts through the real server's mailbox. Each night
 * is the nightly workflow in small, against the local server's production site: a real
 * `playwright test --project=production --shard=1/1` (a shard records nothing: its verdict is a
 * part), then `npm run record` on that verdict (history, alert), with the alerts configured as a
 * user does (ALERT_SMTP_URL into the server's OpenSMTPD, ALERT_MAIL_TO unique to this run,
 * ALERT_MAIL_FROM, REPORT_URL) and a HISTORY_DIR of its own. The mail is read back from the
 * server's Dovecot over IMAP by the suite's own reader (helpers/mail.ts), awaited with IMAP IDLE
 * and a bound, never a sleep. Three nights, with PRODUCTION_ALERT_AFTER=1 (a team that wants the
 * first red night; the default 2 is the same rule one night later, proven in daily.test.ts): red
 * mails one alert, red again nothing more, green one recovery.
 *
 * A night is red by a setting, not by breaking the shared server: PRODUCTION_SERVER_CHECKS names a
 * file with one real check (free disk space over SSH) whose threshold no disk meets; a green night
 * asks for 1 MB. Needs the local server up, as root (the mail servers' condition).
 *
 *   node --import tsx --test harness/selftest/server/alert-mail.test.ts
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import dotenv from 'dotenv';
import nodemailer from 'nodemailer';
import { connectImap, type ImapReader, type MailMessage } from '../../../helpers/mail.ts';
import { historyFile, readHistory } from '../../../helpers/daily/history.ts';
import { PORTS, sitePaths } from '../../server/lib.ts';
import { playwright, ROOT, scratch, verdictFile } from '../run.ts';

const envFile = path.join(ROOT, '.env.server');
if (!existsSync(envFile)) {
  console.error('selftest/server needs the local server: npm run server:up');
  process.exit(1);
}
const serverEnv = dotenv.parse(readFileSync(envFile, 'utf8'));

const tag = randomBytes(4).toString('hex');
/** This run's own recipient: the server delivers every address into the one INBOX. */
const recipient = `alerts+${tag}@superlists.test`;
const sender = `nightly+${tag}@superlists.test`;
/**
 * The SMTP password, as a relay that asks for one would have it in ALERT_SMTP_URL. The server's
 * OpenSMTPD offers no AUTH on loopback, so nodemailer never sends it: it is here to be kept out.
 */
const smtpPassword = `smtp-${randomBytes(8).toString('hex')}`;
const smtpUrl = `smtp://alerts:${smtpPassword}@127.0.0.1:${PORTS.smtp}`;
const reportUrl = `https://ci.example.com/nightly/${tag}`;
const history = path.join(scratch, `history-${tag}`);
const checksFile = path.join(scratch, `nightly-checks-${tag}.json`);
const CHECK = 'free disk space on / (MB)';
/** The subject line every alert starts with; the barrier mails do not. */
const ALERT = /^superlists-live-tests: /;
/** How long a mail accepted by OpenSMTPD may take to reach the INBOX. */
const DELIVERY_MS = 15_000;

/** The settings of the nightly's record step, as the workflow gives them (nightly.yml). */
const alertEnv = {
  ENV_FILE: envFile,
  HISTORY_DIR: history,
  ALERT_SMTP_URL: smtpUrl,
  ALERT_MAIL_TO: recipient,
  ALERT_MAIL_FROM: `superlists-live-tests <${sender}>`,
  REPORT_URL: reportUrl,
  PRODUCTION_ALERT_AFTER: '1',
  // Nothing from the calling shell's own nightly: no job summary, no other hook or threshold.
  GITHUB_STEP_SUMMARY: '',
  ALERT_WEBHOOK_URL: '',
  ALERT_WEBHOOK_FORMAT: '',
};

/** Every secret this configuration holds: none may reach an alert. */
const secrets = [
  smtpPassword,
  smtpUrl,
  ...['STAGING_MAILBOX', 'PRODUCTION_DATABASE_URL', 'STAGING_DATABASE_URL'].flatMap((name) => {
    const value = serverEnv[name];
    return value ? [value, decodeURIComponent(new URL(value).password)] : [];
  }),
].filter((value) => value.length >= 8);

/** Runs `command args` in the checkout with `env` added; resolves with its exit code and output. */
function run(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Waits, at most DELIVERY_MS, until `count(messages to recipient)` holds; returns them. */
async function mailWhen(
  inbox: ImapReader,
  done: (messages: MailMessage[]) => boolean,
  what: string,
): Promise<MailMessage[]> {
  const deadline = Date.now() + DELIVERY_MS;
  for (;;) {
    // Listen before looking: a message delivered during the search still wakes the wait.
    const next = inbox.changed(Math.max(deadline - Date.now(), 0));
    const messages = await inbox.find(recipient);
    if (done(messages)) {
      timings.push(
        `${what} found ${Math.round(DELIVERY_MS - (deadline - Date.now()))} ms after the wait began`,
      );
      return messages;
    }
    if (Date.now() >= deadline) {
      assert.fail(
        `${what}: not within ${DELIVERY_MS} ms; INBOX has for ${recipient}: ${JSON.stringify(messages.map((m) => m.subject))}`,
      );
    }
    await next;
  }
}

/** What each night and each wait took, printed at the end. */
const timings: string[] = [];
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const alerts = (messages: MailMessage[]) => messages.filter((m) => ALERT.test(m.subject));

describe(
  'a red nightly alerts through the real server mailbox',
  {
    skip:
      !serverEnv.STAGING_MAILBOX &&
      'no STAGING_MAILBOX in .env.server (the mail servers run only as root)',
  },
  () => {
    let inbox: ImapReader;
    let nights = 0;
    /** The live release of the server's production site, read here from its own file. */
    const release = () =>
      readFileSync(path.join(sitePaths('production').current, 'RELEASE'), 'utf8').trim();

    before(async () => {
      const mailbox = new URL(serverEnv.STAGING_MAILBOX ?? 'imap://missing');
      inbox = await connectImap(
        {
          host: mailbox.hostname,
          port: Number(mailbox.port),
          secure: false,
          user: decodeURIComponent(mailbox.username),
          folder: mailbox.pathname.slice(1) || 'INBOX',
        },
        decodeURIComponent(mailbox.password),
        { rejectUnauthorized: true },
      );
    });
    after(async () => {
      if (!inbox) return;
      await inbox.deleteFor(recipient);
      assert.deepEqual(await inbox.find(recipient), [], 'this run left mail in the INBOX');
      await inbox.close();
      for (const line of timings) console.log(`# ${line}`);
    });

    /**
     * One night: the production shard (red or green by its check's threshold), then
     * `npm run record` on its verdict. Returns the history after it.
     */
    async function night(red: boolean) {
      const n = ++nights;
      const started = performance.now();
      const runId = `nightly-${tag}-${n}`;
      writeFileSync(
        checksFile,
        JSON.stringify([
          {
            name: CHECK,
            command: "df -Pm / | awk 'NR == 2 { print $4 }'",
            expect: { atLeast: red ? 1e12 : 1 },
          },
        ]),
      );
      const shard = await playwright(
        [
          '--project=production',
          '--shard=1/1',
          `--output=${path.join(scratch, `${runId}-results`)}`,
          'tests/server',
        ],
        {
          ...alertEnv,
          SUPERLISTS_RUN_ID: runId,
          PRODUCTION_SERVER_CHECKS: checksFile,
          // Light and quick whatever the calling shell asked for (test-server.sh keeps every trace).
          FULL_REPORTS: 'false',
          TRACE: 'retain-on-failure',
          TRACE_DETAIL: 'light',
        },
      );
      assert.equal(shard.code, red ? 1 : 0, shard.output);
      assert.equal(
        readHistory(historyFile(history, 'production')).length,
        n - 1,
        'a shard recorded itself',
      );
      const recordStarted = performance.now();
      const recorded = await run(
        'npm',
        ['run', '--silent', 'record', '--', verdictFile('production', runId)],
        alertEnv,
      );
      assert.equal(recorded.code, red ? 1 : 0, recorded.output);
      // One line, the merge's: a line more would be an alert that was not sent.
      assert.match(
        recorded.output.trim(),
        new RegExp(`^record: ${red ? 'failed' : 'passed'}, 1 shard verdicts merged into [^\n]+$`),
      );
      const recordMs = performance.now() - recordStarted;
      const runs = readHistory(historyFile(history, 'production'));
      assert.equal(runs.length, n);
      assert.equal(runs.at(-1)!.runId, runId);
      timings.push(
        `night ${n} (${red ? 'red' : 'green'}) ${seconds(performance.now() - started)} s: shard ${seconds(shard.ms)} s, record ${seconds(recordMs)} s`,
      );
      return runs;
    }

    /** A mail sent now through the same SMTP server: once it is in, so is all mail accepted before it. */
    async function barrier(): Promise<MailMessage[]> {
      const subject = `barrier ${tag} ${nights}`;
      const transport = nodemailer.createTransport({ url: smtpUrl });
      try {
        await transport.sendMail({ from: sender, to: recipient, subject, text: subject });
      } finally {
        transport.close();
      }
      return alerts(
        await mailWhen(
          inbox,
          (m) => m.some((x) => x.subject === subject),
          `the barrier mail ${subject}`,
        ),
      );
    }

    const redSubject = () =>
      `superlists-live-tests: production is red (${release()}): 1 failed, 0 passed`;

    it('a red night mails one alert naming target, release, failing test and report', async () => {
      const [run] = (await night(true)).slice(-1);
      const [alert, ...more] = alerts(
        await mailWhen(inbox, (m) => alerts(m).length > 0, 'the red alert'),
      );
      assert.equal(more.length, 0);
      assert.equal(run!.release, release(), 'the verdict names the live release');
      assert.equal(alert!.subject, redSubject());
      assert.equal(alert!.from, sender);
      assert.deepEqual(alert!.to, [recipient]);
      const test = `server/server-checks.spec.ts › Server › ${CHECK}`;
      assert.deepEqual(alert!.text.trim().split('\n'), [
        redSubject(),
        `- ${test}: Error: server check "${CHECK}" failed on production: stdout is ${/stdout is (\d+)/.exec(alert!.text)?.[1]}, expected at least 1000000000000`,
        `Report: ${reportUrl}`,
        `Run ${run!.runId}, started ${run!.startedAt}`,
      ]);
      const whole = JSON.stringify(alert);
      for (const secret of secrets) assert.ok(!whole.includes(secret), 'a secret is in the alert');
    });

    it('a second red night mails nothing more', async () => {
      await night(true);
      assert.deepEqual(
        (await barrier()).map((m) => m.subject),
        [redSubject()],
      );
    });

    it('a green night mails one recovery', async () => {
      await night(false);
      const all = alerts(await mailWhen(inbox, (m) => alerts(m).length > 1, 'the recovery'));
      assert.deepEqual(
        all.map((m) => m.subject),
        [redSubject(), `superlists-live-tests: production recovered (${release()}): 1 passed`],
      );
      assert.match(all[1]!.text, new RegExp(`^Report: ${reportUrl}$`, 'm'));
      const whole = JSON.stringify(all[1]);
      for (const secret of secrets)
        assert.ok(!whole.includes(secret), 'a secret is in the recovery');
    });
  },
);
