import { setTimeout as sleep } from "node:timers/promises";
import { HeadMovedError } from "./policy-repo.js";

export interface RetryOptions {
  /** Attempts in all, the first included (reference/github.md §2: about 5). */
  readonly attempts?: number;
  /** Base delay; each retry waits base·2^n plus up to the same again in jitter. */
  readonly baseDelayMs?: number;
  /** Ceiling of one wait, jitter excluded, so a crowded branch does not back off into seconds. */
  readonly maxDelayMs?: number;
  readonly random?: () => number;
}

/**
 * Runs `attempt` again from the top (re-read, re-apply, write) each time it loses a compare-and-swap, with
 * jittered backoff so two writers do not collide in lockstep. Other errors and the last loss propagate.
 */
export async function retryOnHeadMoved<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 20;
  const random = options.random ?? Math.random;
  for (let number = 1; ; number++) {
    try {
      return await attempt(number);
    } catch (error) {
      if (!(error instanceof HeadMovedError) || number >= attempts) throw error;
      const delay = Math.min(base * 2 ** (number - 1), options.maxDelayMs ?? 1_000);
      await sleep(delay + random() * delay);
    }
  }
}
