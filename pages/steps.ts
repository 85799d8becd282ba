import { test } from '@playwright/test';

/**
 * Runs a page-object method as one boxed step of the report: the step names what the user does,
 * and a failure inside it points at the spec line that called it, not at the page object.
 * Outside a test (a worker fixture preparing pages) it simply runs the body.
 */
export function step<T>(title: string, body: () => Promise<T>): Promise<T> {
  try {
    test.info();
  } catch {
    return body();
  }
  return test.step(title, body, { box: true });
}
