import { test } from '@playwright/test';

/**
 * Runs `body` as one boxed step of the report: the step names what the user does, and a failure
 * inside it points at the spec line that called it, not at the page object. Outside a test (a
 * worker fixture preparing pages) it simply runs the body.
 */
export function boxedStep<T>(title: string, body: () => Promise<T>): Promise<T> {
  try {
    test.info();
  } catch {
    return body();
  }
  return test.step(title, body, { box: true });
}

/**
 * A page-object method as one boxed step (TypeScript 5 standard decorator, as in Playwright's own
 * tests/config/baseTest.ts): `@step('log out')`, or a title made from the method's arguments,
 * `@step((text: string) => \`add ${JSON.stringify(text)}\`)`.
 */
export function step<This, Args extends unknown[], Result>(
  title: string | ((this: This, ...args: Args) => string),
) {
  return (method: (this: This, ...args: Args) => Promise<Result>) =>
    function (this: This, ...args: Args): Promise<Result> {
      const name = typeof title === 'string' ? title : title.apply(this, args);
      return boxedStep(name, () => method.apply(this, args));
    };
}
