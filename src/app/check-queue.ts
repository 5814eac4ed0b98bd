import { GitHubRateLimitError } from "../repos/github/github-request.js";

export interface CheckQueueOptions {
  /** Posts the App's checks on one pull request's current head. */
  readonly check: (number: number) => Promise<unknown>;
  readonly warn: (message: string) => void;
  /** Waits before the second, third and fourth attempt; a rate limit waits its `retryAfterMs` instead. */
  readonly retryDelaysMs?: readonly number[];
}

const RETRY_DELAYS_MS = [1_000, 5_000, 30_000];
/** A rate limit asking for longer than this is still retried this soon: a held check blocks a merge. */
const MAX_RETRY_AFTER_MS = 120_000;

/**
 * Check work taken off the webhook (GitHub waits 10 s for an answer, and a check reads two revisions of
 * the policy and posts two runs): one pull request at a time, each number waiting at most once, since a
 * check always reads the PR's current head. A failure is retried a few times, so a required
 * `revocation-guard` is not left missing on a head (a missing run has no "Re-run" button).
 */
export class CheckQueue {
  readonly #options: CheckQueueOptions;
  readonly #waiting: number[] = [];
  /** Failed attempts so far of each waiting number. */
  readonly #attempts = new Map<number, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: CheckQueueOptions) {
    this.#options = options;
  }

  add(number: number, attempt = 0): void {
    if (this.#closed || this.#waiting.some((waiting) => waiting === number)) return;
    this.#waiting.push(number);
    this.#attempts.set(number, attempt);
    this.#running ??= this.#drain();
  }

  /** Resolves once nothing is waiting or running (retries scheduled for later do not count). */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  /** Stops taking work and retries; the check in hand finishes. A later webhook or re-run asks again. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#waiting.length = 0;
    await this.idle();
  }

  async #drain(): Promise<void> {
    for (let number = this.#waiting.shift(); number !== undefined; number = this.#waiting.shift()) {
      const attempt = this.#attempts.get(number) ?? 0;
      this.#attempts.delete(number);
      try {
        await this.#options.check(number);
      } catch (error) {
        this.#failed(number, attempt, error);
      }
    }
    this.#running = undefined;
  }

  #failed(number: number, attempt: number, error: unknown): void {
    const delays = this.#options.retryDelaysMs ?? RETRY_DELAYS_MS;
    const message = error instanceof Error ? error.message : String(error);
    const delay =
      error instanceof GitHubRateLimitError
        ? Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS)
        : delays[attempt];
    if (this.#closed || delay === undefined || attempt >= delays.length) {
      this.#options.warn(
        `checks on pull request #${number} failed ${attempt + 1} time(s), giving up until GitHub sends another ` +
          `event for it (push, label, or "Re-run" on the check): ${message}`,
      );
      return;
    }
    this.#options.warn(
      `checks on pull request #${number} failed (${message}); trying again in ${Math.ceil(delay / 1000)} s`,
    );
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.add(number, attempt + 1);
    }, delay);
    timer.unref();
    this.#timers.add(timer);
  }
}
