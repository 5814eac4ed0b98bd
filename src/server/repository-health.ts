/**
 * The repository part of `/healthz`. A look at the base branch can be slow exactly when health matters: with
 * GitHub unreachable, the App's client retries a request for 14 s and more before it fails, and a probe
 * (Kubernetes gives it 1 s by default) would time out instead of reading the 503 that says why. So one look
 * runs at a time, its answer is kept for a second, and a probe that would wait longer than `answerWithinMs`
 * is told the repository did not answer, while the look goes on for the next probe.
 */
import type { PolicyRepo } from "../repos/policy-repo.js";
import type { RepositoryHealth } from "./health.js";

const KEEP_MS = 1_000;

export function cachedRepositoryHealth(
  repo: PolicyRepo,
  answerWithinMs = 2_000,
): () => Promise<RepositoryHealth> {
  let last: { at: number; health: RepositoryHealth } | undefined;
  let looking: Promise<RepositoryHealth> | undefined;
  return async () => {
    if (last !== undefined && Date.now() - last.at < KEEP_MS) return last.health;
    looking ??= look(repo).then((health) => {
      last = { at: Date.now(), health };
      looking = undefined;
      return health;
    });
    let timer: NodeJS.Timeout | undefined;
    const unanswered = new Promise<RepositoryHealth>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            ok: false,
            location: repo.location,
            error: `${repo.baseBranch} could not be read within ${answerWithinMs} ms (still trying)`,
          }),
        answerWithinMs,
      );
    });
    try {
      return await Promise.race([looking, unanswered]);
    } finally {
      clearTimeout(timer);
    }
  };
}

async function look(repo: PolicyRepo): Promise<RepositoryHealth> {
  try {
    const mainHead = await repo.head(repo.baseBranch);
    return mainHead === undefined
      ? { ok: false, location: repo.location, error: `${repo.baseBranch} does not exist` }
      : { ok: true, location: repo.location, mainHead };
  } catch (error) {
    return {
      ok: false,
      location: repo.location,
      error: error instanceof Error ? error.message : "unreadable",
    };
  }
}
