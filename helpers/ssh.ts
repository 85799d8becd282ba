/**
 * SSH to a target's server with node-ssh, the host key pinned: an unknown or changed key refuses
 * to connect. node-ssh would accept any host key without a hostVerifier.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { NodeSSH } from 'node-ssh';
import type { SshSettings } from './config/index.ts';

/** The output of one command run on the server. */
export interface CommandResult {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The OpenSSH-style fingerprint (`SHA256:...`) of a raw host key. */
export function fingerprint(hostKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(hostKey).digest('base64').replace(/=+$/, '')}`;
}

function readKey(ssh: SshSettings): string {
  let mode: number;
  try {
    mode = statSync(ssh.keyPath).mode;
  } catch (error) {
    throw new Error(`SSH key ${ssh.keyPath} not found: check the *_SSH_KEY setting`, {
      cause: error,
    });
  }
  if (mode & 0o077) {
    throw new Error(`SSH key ${ssh.keyPath} is readable by others: run chmod 600 ${ssh.keyPath}`);
  }
  return readFileSync(ssh.keyPath, 'utf8');
}

/** Connects to `ssh.user@ssh.host:ssh.port` with the key file, refusing any host key but the pinned one. */
export async function connectSsh(ssh: SshSettings): Promise<NodeSSH> {
  const privateKey = readKey(ssh);
  let seen: string | undefined;
  // Loaded on first use: ~75 ms that a run without SSH (and every worker) need not pay.
  const { NodeSSH } = await import('node-ssh');
  const client = new NodeSSH();
  try {
    await client.connect({
      host: ssh.host,
      port: ssh.port,
      username: ssh.user,
      privateKey,
      readyTimeout: 10_000,
      hostVerifier: (key: Buffer) => {
        seen = fingerprint(key);
        return seen === ssh.hostKey;
      },
    });
  } catch (error) {
    const where = `${ssh.user}@${ssh.host}:${ssh.port}`;
    if (seen && seen !== ssh.hostKey) {
      throw new Error(
        `SSH ${where}: host key ${seen} does not match the pinned ${ssh.hostKey}: refusing to connect (if the server's key really changed, update *_SSH_HOST_KEY)`,
        { cause: error },
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`SSH ${where}: ${reason}`, { cause: error });
  }
  return client;
}

/** Runs `command` on the server and returns its exit code and output (never throws on a non-zero exit). */
export async function runRemote(
  client: NodeSSH,
  command: string,
  stdin?: string,
): Promise<CommandResult> {
  const result = await client.execCommand(command, stdin === undefined ? {} : { stdin });
  return { command, code: result.code, stdout: result.stdout, stderr: result.stderr };
}
