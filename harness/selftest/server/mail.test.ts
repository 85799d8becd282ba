/**
 * The real server's mail, end to end as stage 3 uses it: a message sent to its SMTP port (as the
 * sites send their login mail, EMAIL_URL) for a plus-addressed test address is found over IMAP
 * (STAGING_MAILBOX in .env.server), and only that message is deleted afterwards. Needs the local
 * server up (scripts/test-server.sh runs this while it is), as root (the mail servers' condition).
 *
 *   node --import tsx --test harness/selftest/server/mail.test.ts
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import dotenv from 'dotenv';
import { ImapFlow } from 'imapflow';
import { PORTS } from '../../server/lib.ts';
import { ROOT, SECRET } from '../run.ts';

const envFile = path.join(ROOT, '.env.server');
if (!existsSync(envFile)) {
  console.error('selftest/server needs the local server: npm run server:up');
  process.exit(1);
}
const serverEnv = dotenv.parse(readFileSync(envFile, 'utf8'));

/** The parts of nodemailer (a dependency of the reference site, without type declarations) used here. */
interface Transport {
  sendMail(message: Record<string, string>): Promise<{ response: string }>;
  close(): void;
}
const load = createRequire(import.meta.url);
const nodemailer = load('nodemailer') as { createTransport(options: object): Transport };

const smtpPort = PORTS.smtp;
const mailbox = new URL(serverEnv.STAGING_MAILBOX ?? 'imap://missing');

function imap(password = decodeURIComponent(mailbox.password)): ImapFlow {
  return new ImapFlow({
    host: mailbox.hostname,
    port: Number(mailbox.port),
    secure: false,
    auth: { user: decodeURIComponent(mailbox.username), pass: password },
    logger: false,
  });
}

/** Resolves with the UIDs of the messages to `address`, waiting (bounded) for new mail events. */
async function waitForMessage(
  client: ImapFlow,
  address: string,
  timeoutMs: number,
): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const arrived = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('exists', done);
        resolve();
      };
      // IDLE reports each new message; the bound re-searches in case an event was missed.
      const timer = setTimeout(done, 100);
      client.on('exists', done);
    });
    const uids = await client.search({ to: address }, { uid: true });
    if (uids && uids.length) return uids;
    if (Date.now() > deadline) return [];
    await arrived;
  }
}

describe(
  'mail on the real server',
  {
    skip:
      !serverEnv.STAGING_MAILBOX &&
      'no STAGING_MAILBOX in .env.server (the mail servers run only as root)',
  },
  () => {
    it('a message sent to the SMTP port is found over IMAP, then deleted', async () => {
      const tag = randomBytes(4).toString('hex');
      const address = (serverEnv.STAGING_TEST_EMAIL ?? '').replace('{tag}', tag);
      assert.match(address, /^edith\+[0-9a-f]{8}@/);
      const client = imap();
      await client.connect();
      const lock = await client.getMailboxLock('INBOX');
      try {
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port: smtpPort,
          secure: false,
          ignoreTLS: true,
        });
        const t0 = performance.now();
        const sent = await transport.sendMail({
          from: 'noreply@superlists',
          to: address,
          subject: `Your login link for Superlists (${tag})`,
          text: `Use this link to log in:\n\nhttp://127.0.0.1:8081/accounts/login?token=${tag}\n`,
        });
        transport.close();
        assert.match(sent.response, /^250 /);
        const uids = await waitForMessage(client, address, 10_000);
        const ms = Math.round(performance.now() - t0);
        assert.equal(uids.length, 1, `one message to ${address} in INBOX ${ms} ms after sending`);
        const message = await client.fetchOne(String(uids[0]), { envelope: true }, { uid: true });
        assert.ok(message);
        assert.equal(message.envelope?.subject, `Your login link for Superlists (${tag})`);
        assert.equal(message.envelope?.to?.[0]?.address, address);
        console.log(
          `# found over IMAP ${ms} ms after SMTP accepted it (${sent.response.slice(0, 40)})`,
        );
        assert.ok(await client.messageDelete(uids, { uid: true }));
        assert.deepEqual(await client.search({ to: address }, { uid: true }), []);
      } finally {
        lock.release();
        await client.logout();
      }
    });

    it('a wrong IMAP password is refused', async () => {
      const client = imap(SECRET);
      await assert.rejects(client.connect());
      client.close();
    });
  },
);
