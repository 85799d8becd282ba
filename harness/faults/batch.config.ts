/**
 * `npm run faults`' batches: many faults of the built-in site in one Playwright run. The site
 * serves each fault on a port of its own (SUPERLISTS_FAULT_PORTS, `port=fault;...`; a port with no
 * fault is the batch's healthy control), and each port gets a project named after its fault that
 * runs that fault's checks against it. One Playwright start, one site and one database for the
 * batch instead of one each per fault (harness/faults/run.ts reads the report by project).
 */
import { defineConfig } from '@playwright/test';
import config from '../../playwright.config.ts';
import path from 'node:path';
import { ROOT, loadSettings } from '../../helpers/config/index.ts';
import type { SuiteOptions } from '../../fixtures/target.ts';
import { CONTROL, batchProjects } from './batch.ts';

const local = config.projects?.find((project) => project.name === 'local');
if (!local) throw new Error('faults: the suite has no local project');

// This file is not at the root: every path the suite's config gives relative to it is made whole.
const fromRoot = (file: string) => path.resolve(ROOT, file);
const globalSetup = [config.globalSetup ?? []].flat().map(fromRoot);

export default defineConfig<SuiteOptions>({
  ...config,
  testDir: fromRoot(config.testDir ?? 'tests'),
  outputDir: fromRoot(config.outputDir ?? 'test-results'),
  globalSetup,
  // One reporter: the runner asks for JSON on the command line, which replaces these.
  reporter: 'list',
  webServer: config.webServer && { ...config.webServer, cwd: ROOT },
  projects: batchProjects(process.env.SUPERLISTS_FAULT_PORTS).map(
    ({ name, port, files, grepInvert }) => {
      // The local target as the suite builds it for that port: every URL it derives follows.
      const target = loadSettings({ ...process.env, LOCAL_PORT: String(port) }, ['--project=local'])
        .targets.local!;
      return {
        ...local,
        name,
        default: undefined,
        testMatch: files,
        grepInvert,
        // A fault's project: each result a measurement (fixtures/target.ts); the control: a verdict.
        use: {
          ...local.use,
          target,
          baseURL: target.url,
          faultRun: name !== CONTROL,
        },
      };
    },
  ),
});
