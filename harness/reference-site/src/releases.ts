// The launcher's releases (local.ts): which release the next start of the site runs, a redeploy's
// new one or a rollback's previous one, and the static folder each serves, <staticfiles>/<release>.
import * as fs from 'node:fs';
import path from 'node:path';
import { collectstatic } from './collectstatic.ts';
import type { FaultName } from './faults.ts';

/** One release the launcher started: its id (the release probe's), number and static folder. */
export interface Release {
  id: string;
  number: number;
  staticRoot: string;
}

/** What the next start of the site runs, and what it is told about it. */
export interface Start {
  release: Release;
  /** A rollback's start of an earlier release. */
  rollback: boolean;
  /** A new release (a redeploy), not the start of one already deployed. */
  fresh: boolean;
}

/** The releases deployed, oldest first (the live one last): a rollback starts the one before. */
export class Releases {
  private readonly list: Release[] = [];
  private counter = 0;
  private next: { release: Release; rollback: boolean } | undefined;
  private liveRoot: string | undefined;
  /** The new release the latest start made, until a reload says whether it runs. */
  private fresh: Release | undefined;

  constructor(
    private readonly staticBase: string,
    private readonly faults: ReadonlySet<FaultName>,
  ) {}

  /** The release the site's next start runs: the one a rollback chose, or a new one, collected. */
  async start(): Promise<Start> {
    const chosen = this.next;
    this.next = undefined;
    if (chosen) {
      this.liveRoot = chosen.release.staticRoot;
      return { ...chosen, fresh: false };
    }
    const number = ++this.counter;
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    const id = `local-${stamp}-${number}`;
    const ownRoot = path.join(this.staticBase, id);
    // The static faults a redeploy ships: the release changes its CSS (invisibly), and either
    // collects it but the new worker serves the previous release's folder, or skips
    // collectstatic and reuses the previous release's folder.
    const live = this.liveRoot;
    const previousFolder = live !== undefined && this.faults.has('deploy-static-previous-folder');
    const skipped = live !== undefined && this.faults.has('deploy-collectstatic-skipped');
    if (!skipped) await collectstatic(ownRoot, previousFolder ? `release ${number}` : undefined);
    const release = {
      id,
      number,
      staticRoot: (previousFolder || skipped) && live ? live : ownRoot,
    };
    this.list.push(release);
    this.fresh = release;
    // Only the folders of the live release, the one a rollback would start and the new one are kept.
    const keep = new Set([ownRoot, live, ...this.list.slice(-2).map((r) => r.staticRoot)]);
    for (const entry of fs.existsSync(this.staticBase) ? fs.readdirSync(this.staticBase) : []) {
      const folder = path.join(this.staticBase, entry);
      if (!keep.has(folder)) fs.rmSync(folder, { recursive: true, force: true });
    }
    this.liveRoot = release.staticRoot;
    return { release, rollback: false, fresh: true };
  }

  /**
   * Makes the next start roll back to the release before the live one; returns that release, or
   * undefined when there is none. The fault rollback-not-switched restarts the live one instead.
   */
  rollback(): Release | undefined {
    const previous = this.list.at(-2);
    if (!previous) return undefined;
    this.next = this.switching()
      ? { release: previous, rollback: true }
      : { release: this.list.at(-1)!, rollback: false };
    return previous;
  }

  /**
   * After a reload: a new release that did not start is forgotten (a rollback must never pick
   * it), and once a rollback's release runs, the one rolled back from is gone.
   */
  settled(kind: 'redeploy' | 'rollback', ok: boolean): void {
    const failed = this.fresh;
    this.fresh = undefined;
    if (kind === 'redeploy' && !ok && failed && this.list.at(-1) === failed) {
      this.list.pop();
      this.liveRoot = this.list.at(-1)?.staticRoot;
      if (failed.staticRoot !== this.liveRoot)
        fs.rmSync(failed.staticRoot, { recursive: true, force: true });
    }
    if (kind === 'rollback' && ok && this.switching()) this.list.splice(-1, 1);
  }

  private switching(): boolean {
    return !this.faults.has('rollback-not-switched');
  }
}
