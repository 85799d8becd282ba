/**
 * The fault catalogue: each entry is one realistic way a deploy breaks a site, and how to make
 * the target misbehave that way. `npm run faults` runs the suite against each and proves that
 * some check fails on it.
 */
import { FAULTS as SITE_FAULTS } from '../reference-site/src/faults.ts';

/** One fault, and how to run the suite against a target that has it. */
export interface Fault {
  name: string;
  /** One line: what goes wrong, as a team would see it. */
  description: string;
  /** Environment for the suite run (e.g. SUPERLISTS_FAULT for the built-in site). */
  env?: Record<string, string>;
  /** Playwright arguments (default: --project=local, the whole suite). */
  args?: string[];
}

/** Faults of the site itself: the built-in site started with SUPERLISTS_FAULT=<name>. */
const siteFaults: Fault[] = SITE_FAULTS.map(({ name, description }) => ({
  name,
  description,
  env: { SUPERLISTS_FAULT: name },
}));

export const CATALOGUE: readonly Fault[] = [...siteFaults];
