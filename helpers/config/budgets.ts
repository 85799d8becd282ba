/** Budgets: the deploy pictures' per-page budget and the tests' time budgets. */
import { z } from 'zod';
import { fail, list } from './values.ts';

// ------------------------------------------------------------------ the deploy's pictures

/** The pages the deploy spec pictures before and after a redeploy (DEPLOY_VISUAL_BUDGET names them). */
export const VISUAL_PAGES = ['home', 'list', 'logged-in'] as const;
export type VisualPage = (typeof VISUAL_PAGES)[number];

/** A share of pixels: `0.01` or `1%`, between 0 and 1 (100 %). */
function share(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]) / (match[2] ? 100 : 1);
  return value <= 1 ? value : undefined;
}

/**
 * DEPLOY_VISUAL_BUDGET: the largest share of a page's pixels a deploy may change, for every page
 * (`1%`, `0.01`) or per page (`home=0.5%,list=1%`; a bare value is the rest's).
 */
export function visualBudget(name: string) {
  return z.string().transform((value, ctx) => {
    const usage = `${name}=${value}: give a share of pixels (0.01 or 1%), or one per page (home=0.5%,list=1%) for pages ${VISUAL_PAGES.join(', ')}`;
    const budget: { all?: number; pages: Partial<Record<VisualPage, number>> } = { pages: {} };
    for (const part of list(value)) {
      const at = part.indexOf('=');
      const key = at < 0 ? undefined : part.slice(0, at);
      const limit = share(at < 0 ? part : part.slice(at + 1));
      if (limit === undefined) return fail(ctx, usage);
      if (key === undefined) {
        if (budget.all !== undefined) return fail(ctx, usage);
        budget.all = limit;
      } else if ((VISUAL_PAGES as readonly string[]).includes(key.trim())) {
        budget.pages[key.trim() as VisualPage] = limit;
      } else {
        return fail(ctx, `${name}: "${key.trim()}" is not a page (use ${VISUAL_PAGES.join(', ')})`);
      }
    }
    return budget;
  });
}

/** <TARGET>_VISUAL_MASK: CSS selectors (comma separated) of what changes by design. */
export function selectors(name: string) {
  return z.string().transform((value, ctx) => {
    const parts = value.split(',').map((part) => part.trim());
    const bad = parts.find((part) => part === '' || /[{};]/.test(part));
    if (bad !== undefined) {
      return fail(
        ctx,
        `${name}: "${bad}" is not a CSS selector: give selectors separated by commas, like footer .version,#id_clock`,
      );
    }
    return parts;
  });
}

// ------------------------------------------------------------------------------ test budgets

/**
 * How long a test may take, by tag. The default is Playwright's 30 s. A stage-3 story makes up to
 * two users with create-session over SSH (6-13 s each on a busy staging) and may wait up to 20 s
 * for its login mail; measured on 2 cores with load 16-26 (two busy loops beside the run), the
 * slowest took 86 s (My lists and sharing, full Chromium, sessions made here, not over SSH): 120 s.
 * The deploy spec sets its own (240 s) unless a tag here names it.
 */
export const DEFAULT_TEST_TIMEOUTS: TestTimeouts = { all: 30_000, tags: { '@accounts': 120_000 } };

/** Test budgets in milliseconds: `all` for every test, `tags` for tagged ones. */
export interface TestTimeouts {
  all: number;
  tags: Readonly<Record<string, number>>;
}

/** TEST_TIMEOUTS: a bare duration for every test, `@tag=duration` for tagged ones (`60s`, `90000ms`). */
export function testTimeouts(name: string) {
  return z.string().transform((value, ctx) => {
    const usage = `${name}=${value}: give durations like 30s or 90000ms, for all tests or per tag (45s,@accounts=120s)`;
    const budget: { all: number; tags: Record<string, number> } = {
      all: DEFAULT_TEST_TIMEOUTS.all,
      tags: { ...DEFAULT_TEST_TIMEOUTS.tags },
    };
    for (const part of list(value)) {
      const match = /^(?:(@[\w-]+)\s*=\s*)?(\d+(?:\.\d+)?)\s*(s|ms)$/.exec(part);
      const ms = match ? Math.round(Number(match[2]) * (match[3] === 's' ? 1000 : 1)) : 0;
      if (!match || ms < 1) return fail(ctx, usage);
      if (match[1]) budget.tags[match[1]] = ms;
      else budget.all = ms;
    }
    return budget;
  });
}
