/**
 * The suite's one retry policy for infrastructure hiccups (not product failures): which answers
 * and network errors are worth sending again, how long to wait, and that only GET and HEAD are
 * ever resent (a write the server may have received never is). Used by the page objects' loads
 * (fixtures/contexts.ts's `hiccups`, pages/navigation.ts), page health and the release probe.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { firstLine } from './errors.ts';

/** Answers that say "the infrastructure hiccupped", not "the product is wrong". */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Network errors a reload or a proxy causes (a reset or refused connection, a timeout), as Node
 * and as Chromium name them.
 */
const NETWORK_ERROR =
  /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|other side closed|UND_ERR_SOCKET|ERR_CONNECTION_(?:RESET|REFUSED|CLOSED)|ERR_EMPTY_RESPONSE|ERR_TIMED_OUT/i;

/** The methods that may be sent again: they cannot change what the server holds. */
const RESENDABLE = new Set(['GET', 'HEAD']);

/** Whether a request with `method` may ever be resent. */
export function isResendable(method: string): boolean {
  return RESENDABLE.has(method.toUpperCase());
}

/** The message of an error and of its cause (fetch() says "fetch failed"; the cause says why). */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const own = error instanceof Error ? error.message : String(error);
  return [own, cause?.code, cause?.message].filter(Boolean).join(' ');
}

/** Whether `error` is a network hiccup worth a second try. */
export function isNetworkHiccup(error: unknown): boolean {
  return NETWORK_ERROR.test(describe(error));
}

/** How long to wait before retry number `attempt + 1` (200 ms, 400 ms, 800 ms...). */
export function backoffMs(attempt: number): number {
  return 200 * 2 ** attempt;
}

/** How one caller applies the policy. */
export interface RetryOptions<T> {
  /** The request's method: anything but GET and HEAD is sent exactly once. */
  method: string;
  /** How many times a hiccup is retried (0: never). */
  retries: number;
  /** The status of a result, to retry {@link RETRY_STATUSES}; omit to retry network errors only. */
  statusOf?: (result: T) => number;
  /** Told each retry, in one line (for an `infrastructure retry` annotation). */
  onRetry?: (why: string) => void;
}

/**
 * Sends with `send(attempt)` and, for a GET or HEAD that met a hiccup, sends again with backoff,
 * at most `retries` times. The last result is returned, the last error thrown.
 */
export async function withRetries<T>(
  send: (attempt: number) => Promise<T>,
  { method, retries, statusOf, onRetry }: RetryOptions<T>,
): Promise<T> {
  const limit = isResendable(method) ? retries : 0;
  for (let attempt = 0; ; attempt++) {
    const wait = backoffMs(attempt);
    try {
      const result = await send(attempt);
      const status = statusOf?.(result);
      if (status === undefined || !RETRY_STATUSES.has(status) || attempt >= limit) return result;
      onRetry?.(`answered ${status}; retried after ${wait} ms`);
    } catch (error) {
      if (!isNetworkHiccup(error) || attempt >= limit) throw error;
      onRetry?.(`failed (${firstLine(describe(error))}); retried after ${wait} ms`);
    }
    await sleep(wait);
  }
}
