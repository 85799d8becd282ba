// Outgoing mail: SMTP (EMAIL_URL) through nodemailer, or a folder in the format of Django's
// file-based email backend (EMAIL_FILE_PATH), or, with neither, a warning and nothing sent.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { encodeWords, isPlainText } from 'nodemailer/lib/mime-funcs';

export interface Mail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** Sends one message (one connection, as Django's send_mail opens one). */
export type Mailer = (mail: Mail) => Promise<void>;

/** Django's file backend separates messages with a line of 79 dashes. */
export const MESSAGE_SEPARATOR = '-'.repeat(79);

const header = (value: string) => (isPlainText(value) ? value : encodeWords(value, 'Q', 52, true));

/**
 * The message as RFC 822 text, the way Django writes a plain-text mail: 7bit (8bit for non-ASCII)
 * with long lines left whole, so the login link reads as one line in the file backend's output.
 */
export function renderMessage(mail: Mail, date: Date = new Date()): string {
  const ascii = isPlainText(mail.text);
  return [
    'Content-Type: text/plain; charset="utf-8"',
    'MIME-Version: 1.0',
    `Content-Transfer-Encoding: ${ascii ? '7bit' : '8bit'}`,
    `Subject: ${header(mail.subject)}`,
    `From: ${header(mail.from)}`,
    `To: ${header(mail.to)}`,
    `Date: ${date.toUTCString().replace('GMT', '-0000')}`,
    `Message-ID: <${randomUUID()}@${os.hostname() || 'superlists'}>`,
    '',
    mail.text.replace(/\r?\n/g, '\n'),
  ].join('\n');
}

function timestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/** Writes one "connection" (here: one message) as Django's filebased EmailBackend does. */
function fileMailer(folder: string): Mailer {
  return async (mail) => {
    const now = new Date();
    await mkdir(folder, { recursive: true });
    const name = `${timestamp(now)}-${process.pid}${Math.floor(Math.random() * 1e9)}.log`;
    const temporary = path.join(folder, `.${name}.tmp`); // readers never see half a message
    await writeFile(temporary, `${renderMessage(mail, now)}\n${MESSAGE_SEPARATOR}\n`);
    await rename(temporary, path.join(folder, name));
  };
}

function smtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return async (mail) => {
    await transport.sendMail({
      envelope: { from: mail.from, to: [mail.to] },
      raw: renderMessage(mail).replace(/\n/g, '\r\n'),
    });
  };
}

/** The mailer the settings ask for; `warn` hears once when mail goes nowhere. */
export function makeMailer(
  settings: { emailUrl: string | undefined; emailFilePath: string | undefined },
  warn: (line: string) => void = (line) => console.warn(line),
): Mailer {
  if (settings.emailUrl) return smtpMailer(settings.emailUrl);
  if (settings.emailFilePath) return fileMailer(settings.emailFilePath);
  warn('superlists: neither EMAIL_URL nor EMAIL_FILE_PATH is set: login mail will not be sent');
  return (mail) => {
    warn(`superlists: no mail backend: not sending '${mail.subject}'`);
    return Promise.resolve();
  };
}
