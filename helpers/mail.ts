/**
 * Reading the login mail a target sends, from where its configuration says it goes: a real inbox
 * over IMAP (imapflow; new mail is awaited with IMAP IDLE, not by polling), or a command (`cmd:`
 * locally, `ssh:` on the server) that prints the messages of Django's file-based email backend.
 * Messages are parsed with mailparser. Only messages to the address asked for are returned: a
 * shared inbox holds other runs' mail too.
 */
import { once } from 'node:events';
import { setTimeout as pause } from 'node:timers/promises';
import type { ImapFlow } from 'imapflow';
import type { AddressObject } from 'mailparser';
import type { CommandResult } from './ssh.ts';
import { firstLine } from './errors.ts';

/** One message, as a person reads it. */
export interface MailMessage {
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** The IMAP uid, where the message came from an inbox. */
  uid?: number;
}

/** A place mail arrives in. */
export interface MailReader {
  /** Every message to `address` there is now (case-insensitive, exact address). */
  find(address: string): Promise<MailMessage[]>;
  /**
   * Resolves when something may have arrived (IMAP: the server says the mailbox grew), or after
   * `ms` at most; never rejects.
   */
  changed(ms: number): Promise<void>;
  /** Deletes the messages to `address` (this run's own), where the reader can. */
  deleteFor(address: string): Promise<void>;
  close(): Promise<void>;
}

/** The line Django's file-based backend writes after each message: 79 dashes. */
const FILE_BACKEND_SEPARATOR = /^-{79}$/m;

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = Array.isArray(field) ? field : field ? [field] : [];
  return objects.flatMap((object) =>
    object.value.map((entry) => (entry.address ?? '').toLowerCase()).filter(Boolean),
  );
}

/** Parses one RFC 822 message. */
export async function parseMessage(source: string | Buffer, uid?: number): Promise<MailMessage> {
  // Loaded on first use: every worker imports this module, few read mail (~150 ms a process).
  const { simpleParser } = await import('mailparser');
  const parsed = await simpleParser(source);
  return {
    to: addresses(parsed.to),
    from: addresses(parsed.from)[0] ?? '',
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    ...(uid === undefined ? {} : { uid }),
  };
}

/** Splits what Django's file-based email backend wrote (one or more files, concatenated). */
export function splitFileBackend(output: string): string[] {
  return output
    .split(FILE_BACKEND_SEPARATOR)
    .map((chunk) => chunk.replace(/^\s+/, ''))
    .filter((chunk) => /^[A-Za-z-]+:/m.test(chunk));
}

const addressed = (address: string) => (message: MailMessage) =>
  message.to.includes(address.toLowerCase());

/** Reads an IMAP inbox; the connection is opened by the caller (see {@link connectImap}). */
export class ImapReader implements MailReader {
  constructor(
    private readonly client: ImapFlow,
    private readonly folder: string,
  ) {}

  async find(address: string): Promise<MailMessage[]> {
    const lock = await this.client.getMailboxLock(this.folder);
    try {
      const uids = (await this.client.search({ to: address }, { uid: true })) || [];
      if (uids.length === 0) return [];
      const messages = await this.client.fetchAll(uids, { source: true, uid: true }, { uid: true });
      const parsed = await Promise.all(
        messages.map((message) => parseMessage(message.source ?? '', message.uid)),
      );
      return parsed.filter(addressed(address));
    } finally {
      lock.release();
    }
  }

  async changed(ms: number): Promise<void> {
    const signal = AbortSignal.timeout(ms);
    // imapflow IDLEs by itself while the mailbox is selected and nothing else runs: the server
    // pushes EXISTS the moment a message is delivered.
    await once(this.client, 'exists', { signal }).catch(() => undefined);
  }

  async deleteFor(address: string): Promise<void> {
    const lock = await this.client.getMailboxLock(this.folder);
    try {
      const uids = (await this.client.search({ to: address }, { uid: true })) || [];
      if (uids.length) await this.client.messageDelete(uids, { uid: true });
    } finally {
      lock.release();
    }
  }

  async close(): Promise<void> {
    await this.client.logout().catch(() => this.client.close());
  }
}

/** What a mailbox URL names, without its password (that stays with the caller). */
export interface ImapMailbox {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  folder: string;
}

/**
 * How long the connection rests before IDLE starts. Every command of the reader runs inside a
 * mailbox lock, so no IDLE comes between two of them.
 */
const IDLE_AFTER_MS = 50;

/**
 * Logs in to the inbox and selects its folder. `password` is never logged: imapflow's logger is
 * off. Certificate checks follow `rejectUnauthorized`.
 */
export async function connectImap(
  mailbox: ImapMailbox,
  password: string,
  options: { rejectUnauthorized: boolean },
): Promise<ImapReader> {
  const { ImapFlow } = await import('imapflow'); // only in workers that read mail
  const client = new ImapFlow({
    host: mailbox.host,
    port: mailbox.port,
    secure: mailbox.secure,
    auth: { user: mailbox.user, pass: password },
    logger: false,
    tls: { rejectUnauthorized: options.rejectUnauthorized },
    // IDLE as soon as a search is done, so the server pushes EXISTS the moment mail is delivered.
    // imapflow's default waits 15 s without a command first: a login mail that arrived just
    // after a search then waited 15 s for the wait below to hear of it (measured on the server).
    autoIdleDelay: IDLE_AFTER_MS,
  });
  client.on('error', () => undefined); // a dropped connection fails the next call instead
  await client.connect();
  await client.mailboxOpen(mailbox.folder);
  return new ImapReader(client, mailbox.folder);
}

/**
 * Reads the messages a command prints (Django's file-based backend: `cat` of its folder, or the
 * reference site's `mailbox.ts`). There is no event to wait on: `changed` is a short pause that
 * doubles from 50 ms, bounded by the caller's deadline.
 */
export class CommandReader implements MailReader {
  private pause = 50;

  constructor(private readonly run: () => Promise<CommandResult>) {}

  async find(address: string): Promise<MailMessage[]> {
    const result = await this.run();
    if (result.code !== 0) {
      throw new Error(
        `the mailbox command (${result.command}) failed with exit ${result.code}${result.stderr ? `: ${firstLine(result.stderr)}` : ''}`,
      );
    }
    const messages = await Promise.all(splitFileBackend(result.stdout).map((m) => parseMessage(m)));
    return messages.filter(addressed(address));
  }

  async changed(ms: number): Promise<void> {
    const wait = Math.min(ms, this.pause);
    this.pause = Math.min(this.pause * 2, 800);
    await pause(wait);
  }

  async deleteFor(): Promise<void> {
    // The file backend's folder belongs to the site; the suite only reads it.
  }

  async close(): Promise<void> {}
}

/**
 * Waits, at most `timeoutMs`, for the first message to `address`; throws naming the address and
 * how long it waited when none came.
 */
export async function waitForMail(
  reader: MailReader,
  address: string,
  timeoutMs: number,
): Promise<MailMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Listen before looking: a message delivered during the search still wakes the wait.
    const next = reader.changed(Math.max(deadline - Date.now(), 0));
    const [first] = await reader.find(address);
    if (first) return first;
    if (Date.now() >= deadline) {
      throw new Error(`no mail to ${address} arrived within ${timeoutMs} ms`);
    }
    await next;
  }
}
