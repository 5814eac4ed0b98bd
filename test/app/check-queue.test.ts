/** The App's check work, off the webhook: one PR at a time, each waiting once, failures retried. */
import { describe, expect, it } from "vitest";
import { CheckQueue } from "../../src/app/check-queue.js";
import { GitHubRateLimitError } from "../../src/repos/github/github-request.js";

function deferred() {
  let release = () => {};
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe("CheckQueue", () => {
  it("runs one check at a time and folds repeated requests for a waiting PR into one", async () => {
    const gate = deferred();
    const ran: number[] = [];
    let running = 0;
    let most = 0;
    const queue = new CheckQueue({
      check: async (number) => {
        running++;
        most = Math.max(most, running);
        if (ran.length === 0) await gate.promise;
        ran.push(number);
        running--;
      },
      warn: () => {},
    });
    queue.add(1);
    // #1 is running; these wait, #2 only once, and #1 once more (its head may have moved meanwhile).
    queue.add(2);
    queue.add(2);
    queue.add(1);
    queue.add(2);
    gate.release();
    await queue.idle();
    expect(ran).toEqual([1, 2, 1]);
    expect(most).toBe(1);
  });

  it("tries a failed check again, waiting a rate limit's retry-after, and says when it gives up", async () => {
    const warnings: string[] = [];
    const attempts: number[] = [];
    const queue = new CheckQueue({
      check: (number) => {
        attempts.push(number);
        if (attempts.length === 1)
          return Promise.reject(new GitHubRateLimitError("POST /repos/{owner}/{repo}/check-runs", 429, 10));
        return Promise.reject(new Error("GitHub answered 502"));
      },
      warn: (line) => warnings.push(line),
      retryDelaysMs: [5, 5],
    });
    queue.add(4);
    await expect.poll(() => warnings.length).toBe(3);
    await queue.idle();
    expect(attempts).toEqual([4, 4, 4]);
    expect(warnings[0]).toMatch(
      /^checks on pull request #4 failed \(GitHub rate limit hit .*\); trying again in 1 s$/,
    );
    expect(warnings[2]).toMatch(
      /^checks on pull request #4 failed 3 time\(s\), giving up until GitHub sends another event/,
    );
  });

  it("finishes the check in hand on close and drops what waits; later requests are refused", async () => {
    const gate = deferred();
    const ran: number[] = [];
    const queue = new CheckQueue({
      check: async (number) => {
        await gate.promise;
        ran.push(number);
      },
      warn: () => {},
    });
    queue.add(1);
    queue.add(2);
    const closed = queue.close();
    queue.add(3);
    gate.release();
    await closed;
    expect(ran).toEqual([1]);
  });
});
