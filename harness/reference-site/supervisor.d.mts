// Types for supervisor.mjs (plain JavaScript so that it runs anywhere with `node`).

export interface SupervisorStatus {
  /** The supervisor's pid (the cluster primary). */
  pid: number;
  workerPid: number | undefined;
  release: string;
  /** The release folder the worker runs in (the resolved link). */
  cwd: string;
  startedAt: string;
}

export interface SupervisorOptions {
  /** The app folder (used as is)... */
  appDir?: string | undefined;
  /** ...or a symlink to the live release, resolved again at every (re)start. */
  appLink?: string | undefined;
  /** Worker script relative to the release folder. Default `reference-site/src/server.ts`. */
  entry?: string | undefined;
  /** Default `['--import', 'tsx']` (resolved from the release folder, the worker's cwd). */
  execArgv?: string[] | undefined;
  /** Extra worker environment; a function is called at every (re)start. */
  env?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** KEY=VALUE file re-read at every (re)start; `env` wins over it, it wins over the supervisor's environment. */
  envFile?: string | undefined;
  /** Pid file; the status JSON goes next to it (`x.pid` -> `x.json`) unless statusFile is given. */
  pidFile?: string | undefined;
  statusFile?: string | undefined;
  /** Handle SIGHUP (reload) and SIGTERM/SIGINT (stop, then exit 0). Default true. */
  signals?: boolean;
  /** How long a new worker may take to listen. Default 30 s. */
  startTimeoutMs?: number;
  /** How long a retired worker may take to finish before SIGKILL. Default 10 s. */
  graceMs?: number;
  /** Called after each successful (re)load. */
  onStatus?: (status: SupervisorStatus) => void;
  log?: (message: string) => void;
}

export interface Supervisor {
  /**
   * Resolves once the first worker listens; rejects (after cleaning up) if it cannot start, with
   * `error.stopped` true when stop() (a signal) came first.
   */
  ready: Promise<void>;
  /** Graceful reload; resolves to true when a new worker took over, false when the old one kept serving. */
  reload(reason?: string): Promise<boolean>;
  /** Graceful stop of every worker; removes the pid and status files. */
  stop(): Promise<void>;
  status(): SupervisorStatus | null;
}

export function startSupervisor(options: SupervisorOptions): Supervisor;
export function parseEnvFile(text: string): Record<string, string>;
