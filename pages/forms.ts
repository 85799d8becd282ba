import { STATUS_CODES } from 'node:http';
import type { Page, Request, Response } from '@playwright/test';
import { type Hiccups, type Loaded, loadUntilClean, pathOf } from './navigation.ts';

/**
 * Submits a form with `submit` (a key press, a click) and waits for the page the site answers
 * with to be parsed: on the navigation event itself, not by polling for its effects. An answer
 * of 4xx or 5xx (a refused CSRF token, a crash) fails here, naming the status and the URL; no
 * answer within the action timeout: the assertions that follow say what the page shows. A hiccup
 * on the page the post redirected to (a GET) loads that page again (`hiccups`); a page the post
 * itself answered is never loaded again, and the post is never sent twice.
 */
export async function submitForm(
  page: Page,
  hiccups: Hiccups,
  submit: () => Promise<void>,
): Promise<void> {
  const answers: Response[] = [];
  const onResponse = (response: Response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame())
      answers.push(response);
  };
  /** The page to load again after a hiccup: the one a post redirected to (a GET), never a post's. */
  const addressOf = (hiccupped: readonly Request[]) => {
    const document =
      hiccupped.find((r) => r.isNavigationRequest() && r.frame() === page.mainFrame()) ??
      answers.at(-1)?.request();
    return document?.method() === 'GET' ? document.url() : undefined;
  };
  page.on('response', onResponse);
  let loaded: Loaded;
  try {
    loaded = await loadUntilClean(
      page,
      hiccups,
      async () => {
        // Handled at once: a submit slower than the wait (a loaded machine) must not leave the
        // wait's timeout an unhandled rejection, which fails the test although the page did load.
        const parsed = page.waitForEvent('domcontentloaded').catch(() => undefined);
        await submit();
        await parsed;
        return answers.at(-1) ?? null;
      },
      addressOf,
    );
  } finally {
    page.off('response', onResponse);
  }
  // A hiccup a load of the page got past is judged by that load's answer.
  const failed = loaded.reloaded
    ? loaded.response && loaded.response.status() >= 400
      ? loaded.response
      : undefined
    : answers.find((response) => response.status() >= 400);
  if (failed) throw new Error(describeAnswer(failed));
}

/** `POST /lists/new answered 403 Forbidden`, with the redirects that led there. */
function describeAnswer(response: Response): string {
  const request = response.request();
  const chain: string[] = [];
  for (let r = request.redirectedFrom(); r; r = r.redirectedFrom())
    chain.unshift(`${r.method()} ${pathOf(r.url())}`);
  const status = `${response.status()} ${response.statusText() || STATUS_CODES[response.status()] || ''}`;
  const via = chain.length ? ` (redirected from ${chain.join(' -> ')})` : '';
  return `${request.method()} ${pathOf(response.url())}${via} answered ${status.trim()} (${response.url()})`;
}
