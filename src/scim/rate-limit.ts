/** A token bucket in front of everything: past the burst, requests get 429 with `Retry-After`. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/**
 * Requests per second `serve` takes by default (`SCIM_RATE_LIMIT`): twice the 1,000/s the service is built
 * to answer at p99 ≤ 20 ms, and far above what IdPs send (bursts of hundreds a second during imports), so
 * the limit only stops a runaway client.
 */
export const DEFAULT_SCIM_RATE_LIMIT = 2_000;

/** A rate of `perSecond` with bursts of up to two seconds' worth. */
export function rateLimitOf(perSecond: number): RateLimit {
  return { perSecond, burst: 2 * perSecond };
}

export class TokenBucket {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    this.#limit = limit;
    this.#now = now;
    this.#tokens = limit.burst;
    this.#last = now();
  }

  /** Takes one token; returns 0 when allowed, else the seconds to wait before one is free. */
  take(): number {
    const now = this.#now();
    this.#tokens = Math.min(
      this.#limit.burst,
      this.#tokens + ((now - this.#last) / 1000) * this.#limit.perSecond,
    );
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.#limit.perSecond));
  }
}
