// Prints every message the site wrote to its mail folder (Django's file-based email backend format:
// one file per connection, each message followed by a line of 79 '-'), oldest file first, as written.
// Usage: node --import tsx harness/reference-site/src/mailbox.ts
// Env: EMAIL_FILE_PATH; without it, the running built-in target's folder. No folder yet: no mail.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { runCommand, mailFolder } from './target-env.ts';

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await runCommand('mailbox', async () => {
  const folder = mailFolder();
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const name of names.filter((entry) => !entry.startsWith('.')).sort()) {
    process.stdout.write(await readFile(path.join(folder, name)));
  }
});
