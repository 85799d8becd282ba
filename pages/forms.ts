import { STATUS_CODES } from 'node:http';
import type { Page, Response } from '@playwright/test';
import { retryOf } from '../helpers/retry.ts';

/**
 * Submits a form with `submit` (a key press, a click) and waits for the page the site answers
 * with to be parsed: on the navigation event itself, not by polling for its effects. An answer
 * of 4xx or 5xx (a refused CSRF token, a crash) fails here, naming the status and the URL (an
 * infrastructure hiccup the suite retries is judged by the answer the retry got); no
 * answer within the action timeout: the assertions that follow say what the page shows.
 */
export async function submitForm(page: Page, submit: () => Promise<void>): Promise<void> {
  const answers: Response[] = [];
  const onResponse = (response: Response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame())
      answers.push(response);
  };
  page.on('response', onResponse);
  try {
    const parsed = page.waitForEvent('domcontentloaded');
    await submit();
    await parsed.catch(() => undefined);
  } finally {
    page.off('response', onResponse);
  }
  let failed = answers.find((response) => response.status() >= 400);
  // A hiccup (a 502 while the app restarted) the suite's infrastructure retries are loading the
  // page again for: the page is judged by the answer that came back.
  const retry = failed && retryOf(failed.request());
  if (retry) {
    const answer = await retry;
    failed = answer && answer.status() >= 400 ? answer : undefined;
  }
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

function pathOf(url: string): string {
  const { pathname, search } = new URL(url);
  return pathname + search;
}
