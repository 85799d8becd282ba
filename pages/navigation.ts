/**
 * Infrastructure hiccups, seen where they happen: a page object's own navigation (`open()`, the
 * page a form's answer redirects to) loads its page again when it, or anything it loads, met a
 * hiccup (a 502 while an app restarts, a reset connection). What counts as one, how long to wait
 * and how often to try come in as a {@link Hiccups} (the fixtures' `hiccups`, from
 * helpers/retry.ts's policy); page objects made without one retry nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page, Request, Response } from '@playwright/test';

/** How a page object treats infrastructure hiccups. */
export interface Hiccups {
  /** How many times one load is made again after a hiccup (0: a hiccup fails like any answer). */
  readonly retries: number;
  /**
   * Why what `request` got (its answer's status, or the network error it failed with) is a hiccup
   * worth loading the page again for (`answered 503`), or undefined: not one, or not the site's.
   */
  whyRetry(request: Request, outcome: { status: number } | { error: string }): string | undefined;
  /** The wait before retry number `attempt + 1`. */
  backoffMs(attempt: number): number;
  /** Records one retry in one line; `urls` met the hiccup and were loaded again. */
  retried(line: string, urls: readonly string[]): void;
}

/** No retries: every hiccup counts. */
export const NO_RETRIES: Hiccups = {
  retries: 0,
  whyRetry: () => undefined,
  backoffMs: () => 0,
  retried: () => undefined,
};

/** The hiccups `page` meets from now until `stop()`: each request, and one phrase saying why. */
function watch(page: Page, hiccups: Hiccups) {
  const seen: { request: Request; why: string }[] = [];
  const note = (request: Request, why: string | undefined) => {
    if (why) seen.push({ request, why: `${request.method()} ${pathOf(request.url())} ${why}` });
  };
  const onResponse = (response: Response) =>
    note(response.request(), hiccups.whyRetry(response.request(), { status: response.status() }));
  const onFailed = (request: Request) =>
    note(request, hiccups.whyRetry(request, { error: request.failure()?.errorText ?? '' }));
  page.on('response', onResponse);
  page.on('requestfailed', onFailed);
  return {
    seen,
    stop: () => {
      page.off('response', onResponse);
      page.off('requestfailed', onFailed);
    },
  };
}

/** How a load ended: the last answer, and whether it came from loading the page again. */
export interface Loaded {
  response: Response | null;
  reloaded: boolean;
}

/**
 * Runs `navigate` (a `goto`, or a form's submission) and, while it or anything the page loaded
 * meanwhile met a hiccup, loads the page again with `page.goto(addressOf(hiccupped requests))`
 * after a backoff, at most `hiccups.retries` times, each retry recorded. `addressOf` answers
 * undefined when the page must not be loaded again (a page a form post answered): the hiccup then
 * counts. Only GETs hiccup (`whyRetry`): no form post is ever sent twice. Returns the last load's
 * answer, or throws what it threw.
 */
export async function loadUntilClean(
  page: Page,
  hiccups: Hiccups,
  navigate: () => Promise<Response | null>,
  addressOf: (hiccupped: readonly Request[]) => string | undefined,
): Promise<Loaded> {
  let load = navigate;
  for (let attempt = 0; ; attempt++) {
    const hiccupsSeen = watch(page, hiccups);
    let outcome: { response: Response | null } | { failure: unknown };
    try {
      outcome = { response: await load() };
      // What the page loads (a stylesheet, a script) hiccups too: seen by the page's load event.
      if (hiccups.retries > 0) await page.waitForLoadState('load');
    } catch (failure) {
      outcome = { failure };
    } finally {
      hiccupsSeen.stop();
    }
    const { seen } = hiccupsSeen;
    const address =
      seen.length && attempt < hiccups.retries ? addressOf(seen.map((s) => s.request)) : undefined;
    if (address === undefined) {
      if ('failure' in outcome) throw outcome.failure;
      return { response: outcome.response, reloaded: attempt > 0 };
    }
    const wait = hiccups.backoffMs(attempt);
    hiccups.retried(
      `${seen.map((s) => s.why).join(', ')}; ${pathOf(address)} loaded again after ${wait} ms`,
      seen.map((s) => s.request.url()),
    );
    await sleep(wait); // a backoff between loads, not a wait for the page
    load = () => page.goto(address);
  }
}

/** `page.goto(url)`, loaded again while it meets hiccups (`hiccups`). */
export async function gotoUntilClean(
  page: Page,
  hiccups: Hiccups,
  url: string,
): Promise<Response | null> {
  return (
    await loadUntilClean(
      page,
      hiccups,
      () => page.goto(url),
      () => url,
    )
  ).response;
}

/** `/lists/1/?q`: a URL's path and query. */
export function pathOf(url: string): string {
  const { pathname, search } = new URL(url, 'http://relative');
  return pathname + search;
}
