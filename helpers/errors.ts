/** One-line wording of errors, for the suite's one-line reports. No dependencies: cheap to load. */

/** The first line of an error's message (or of any thrown value), for one-line reports. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'DNS lookup timed out',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
};

/** A network error in a person's words (`connection refused`), else its first line. */
export function networkReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code && NETWORK_REASONS[code]) || firstLine(error);
}
