/**
 * The step timeline of a test, for the one message a timeout gets: which step was running, which
 * action in it was pending, and how long every earlier step took. Playwright's own message says
 * only "Test timeout of 30000ms exceeded.".
 *
 * Playwright (1.65) gives a running test no public view of its steps, so {@link StepRecorder}
 * reads the test's step tree (`testInfo._steps`) and notes when each step begins by wrapping
 * `testInfo._addStep`, which every step (test.step, a page object's step, an action, an
 * expect, a fixture) goes through. Both are private: when a Playwright upgrade changes them the
 * recorder says so in the message instead of a timeline, and harness/selftest/timeouts.test.ts,
 * which makes a story time out and reads the message, fails.
 */
import type { TestInfo } from '@playwright/test';

/** A step as Playwright keeps it inside the worker (only the fields read here). */
interface InternalStep {
  title: string;
  category: string;
  group?: string;
  /** A page object's step (pages/steps.ts boxes them): an action of the spec's step. */
  box?: boolean;
  endWallTime?: number;
  steps: InternalStep[];
}

interface InternalTestInfo {
  _steps?: InternalStep[];
  _addStep?: (...args: unknown[]) => InternalStep;
  _startWallTime?: number;
}

/** What a timeline shows: the user's steps, actions, expectations, fixtures and hooks. */
const SHOWN = new Set(['test.step', 'pw:api', 'expect', 'fixture', 'hook']);

/** A setup fixture that took this long gets its own line. */
const SLOW_SETUP_MS = 1000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Records the start of every step of one test; {@link report} renders the timeline. */
/** How the timeline's message for a test out of time begins (reporters/verdict.ts finds it by this). */
export const OUT_OF_TIME = 'the test ran out of its';

export class StepRecorder {
  private readonly starts = new WeakMap<InternalStep, number>();
  private readonly info: InternalTestInfo;
  /** When the test began (its timeout runs from here). */
  private readonly began: number;
  readonly available: boolean;

  constructor(testInfo: TestInfo) {
    this.info = testInfo as unknown as InternalTestInfo;
    this.began = this.info._startWallTime ?? Date.now();
    const addStep = this.info._addStep;
    this.available = typeof addStep === 'function' && Array.isArray(this.info._steps);
    if (!this.available || !addStep) return;
    this.info._addStep = (...args: unknown[]) => {
      const step = addStep.apply(testInfo, args);
      this.starts.set(step, Date.now());
      return step;
    };
  }

  /**
   * The message for a test that ran out of its `budgetMs` (`budgetSource` says which setting gave
   * it): the running step and its pending action on the first line, the timeline after it.
   */
  report(budgetMs: number, budgetSource: string): string {
    const headline = `${OUT_OF_TIME} ${seconds(budgetMs)} budget (${budgetSource})`;
    if (!this.available) {
      return `${headline}; no step timeline: this Playwright version hides its steps (helpers/timeline.ts)`;
    }
    const deadline = this.began + budgetMs;
    const startOf = (step: InternalStep) => this.starts.get(step) ?? this.began;
    const shown = (steps: InternalStep[]) =>
      steps.filter((s) => SHOWN.has(s.category) && s.group !== 'internal' && startOf(s) < deadline);
    const pending = (step: InternalStep) =>
      step.endWallTime === undefined || step.endWallTime >= deadline;

    // The chain of steps that were still running at the deadline, outermost first.
    const chain: InternalStep[] = [];
    for (let level = shown(this.info._steps ?? []); ;) {
      const running = level.filter(pending).at(-1);
      if (!running) break;
      chain.push(running);
      level = shown(running.steps);
    }
    const lines: string[] = [];
    const render = (steps: InternalStep[], depth: number) => {
      for (const step of steps) {
        const start = `+${seconds(startOf(step) - this.began)}`.padStart(9);
        const open = pending(step);
        const took = open
          ? `pending, ${seconds(deadline - startOf(step))} so far`
          : seconds(step.endWallTime! - startOf(step));
        lines.push(`${start}  ${'  '.repeat(depth)}${label(step)} (${took})`);
        if (open) render(shown(step.steps), depth + 1);
        // Where the setup's time went, when it is worth a line (a browser starting under load).
        else if (step.category === 'hook') render(shown(step.steps).filter(slow), depth + 1);
      }
    };
    const slow = (step: InternalStep) =>
      !pending(step) && step.endWallTime! - startOf(step) >= SLOW_SETUP_MS;
    render(shown(this.info._steps ?? []), 0);

    // The spec's own steps name where the story was; the innermost pending step is what it did.
    const where = chain.filter((s) => s.category === 'test.step' && !s.box).map(label);
    const action = chain.at(-1);
    const done = shown(this.info._steps ?? []).filter((s) => !pending(s) && s.category !== 'hook');
    const what = [
      where.length ? `in step "${where.join(' > ')}"` : 'outside any step of the spec',
      action
        ? `pending: ${label(action)} (${seconds(deadline - startOf(action))} so far)`
        : 'nothing pending',
      `the steps before took ${done.map((s) => seconds(s.endWallTime! - startOf(s))).join(' + ') || 'nothing'}`,
    ].join('; ');
    return `${headline} ${what}\nstep timeline (start, then duration):\n${lines.join('\n')}`;
  }
}

function label(step: InternalStep): string {
  return step.category === 'test.step' ? step.title : `${step.category} ${step.title}`;
}
