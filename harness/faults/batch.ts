/**
 * The batches of `npm run faults`: which of the built-in site's faults can share one run (one
 * site, each fault on a port of its own), and the projects such a run has.
 */
import path from 'node:path';
import { CATALOGUE, type Fault } from './catalogue.ts';
import { ROOT } from '../../helpers/config/paths.ts';
import { parseFaultPorts } from '../reference-site/src/faults.ts';

/** The arguments of a built-in-site fault caught without a redeploy (catalogue.ts). */
const WITHOUT_A_DEPLOY = ['--project=local', '--grep-invert', '@deploy'];
/** The project of a batch's port with no fault: the same checks against the same site, healthy. */
export const CONTROL = 'healthy-control';

/**
 * Whether a fault can run in a batch: the built-in site's, caught without a redeploy, set by
 * SUPERLISTS_FAULT alone (no other setting, nothing applied to a server), caught by tests.
 */
export function batchable(fault: Fault): boolean {
  const env = Object.keys(fault.env ?? {});
  return (
    fault.target === 'local' &&
    env.length === 1 &&
    env[0] === 'SUPERLISTS_FAULT' &&
    fault.env!.SUPERLISTS_FAULT === fault.name &&
    !fault.apply &&
    !fault.caughtBy &&
    !fault.baselineEnv &&
    fault.args.join(' ') === WITHOUT_A_DEPLOY.join(' ')
  );
}

/** SUPERLISTS_FAULT_PORTS for a batch: each fault on its port, and the control's port with none. */
export function faultPorts(faults: readonly Fault[], ports: readonly number[]): string {
  return [...faults.map((f, i) => `${ports[i]}=${f.name}`), `${ports[faults.length]}=`].join(';');
}

export interface BatchProject {
  /** The fault's name, or {@link CONTROL}. */
  name: string;
  port: number;
  /** The spec files it runs (the fault's checks), or undefined: every test without `@deploy`. */
  files?: RegExp[];
  grepInvert: RegExp;
}

/** `text` as a regular expression that matches it literally. */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const specFile = (check: string) => new RegExp(`${escapeRegExp(path.join(ROOT, check))}$`);

/** The projects of a batch run, from its SUPERLISTS_FAULT_PORTS. */
export function batchProjects(value: string | undefined): BatchProject[] {
  // The site's own parser: the batch runs exactly the ports the site serves.
  const entries = [...parseFaultPorts(value)].map(([port, names]) => {
    const [name] = names;
    const fault = name && CATALOGUE.find((f) => f.name === name);
    if (name && !fault) throw new Error(`faults: no fault ${name} in the catalogue`);
    return { port, fault: fault || undefined };
  });
  const faults = entries.flatMap(({ fault }) => (fault ? [fault] : []));
  // The control runs every check the batch's faults run, so a failure of the ports themselves
  // shows as a healthy failure, never as a fault caught.
  const controlChecks = faults.every((f) => f.checks)
    ? [...new Set(faults.flatMap((f) => f.checks!))]
    : undefined;
  return entries.map(({ port, fault }) => ({
    name: fault?.name ?? CONTROL,
    port,
    files: (fault ? fault.checks : controlChecks)?.map(specFile),
    grepInvert: /@deploy/,
  }));
}
