import { expect, test } from '../../fixtures/index.ts';

test.describe('Response time', { tag: '@smoke' }, () => {
  test('every page answers within its budget', async ({ page, smokePages, suite, visit }) => {
    const budget = suite.pageBudgetMs;
    for (const { name, path } of smokePages) {
      await test.step(`${name} (${path})`, async () => {
        await visit(path);
        const timing = await page.evaluate(() => {
          const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
          return nav
            ? { response: nav.responseEnd - nav.startTime, load: nav.loadEventEnd - nav.startTime }
            : undefined;
        });
        expect(timing, `${path}: the browser recorded no navigation timing`).toBeDefined();
        const response = Math.round(timing!.response);
        test.info().annotations.push({
          type: 'response time',
          description: `${path}: ${response} ms to the last byte, ${Math.round(timing!.load)} ms to load (budget ${budget} ms)`,
        });
        expect(
          response,
          `${path}: expected an answer within ${budget} ms (PAGE_BUDGET_MS), took ${response} ms`,
        ).toBeLessThanOrEqual(budget);
      });
    }
  });
});
