/**
 * The Probot entry (DESIGN §8, STYLE): the App function that routes GitHub's webhooks, and the Probot
 * instance it runs in. `serve` composes the rest (ledger, proposer, the one HTTP server) around it; Probot's
 * own `run` cannot, since the App acts on a service it does not own.
 */
import type { Logger as PinoLogger } from "pino";
import type { ApplicationFunction } from "probot";
import { Probot } from "probot";
import type { GitHubConfig } from "./config.js";
import { AppOctokit } from "./app/app-octokit.js";
import type { AppDependencies } from "./app/app-dependencies.js";
import { onCheckRequest } from "./app/on-check-request.js";
import { onPullRequest } from "./app/on-pull-request.js";
import { onPush } from "./app/on-push.js";

export type { AppDependencies } from "./app/app-dependencies.js";

/**
 * The handlers are thin: a push to the base branch nudges the proposer; a pull request or check event
 * queues the App's checks. Nothing waits on GitHub inside a webhook, which GitHub gives 10 s.
 */
export default function scimGitopsApp(deps: AppDependencies): ApplicationFunction {
  return (app) => {
    onPush(app, deps);
    onPullRequest(app, deps);
    onCheckRequest(app, deps);
  };
}

/**
 * Probot for GitHub mode: the App's id, key and webhook secret, the API base (GitHub Enterprise Server's
 * `/api/v3` with `GHE_HOST`), a logger that redacts, and `AppOctokit` (no throttling; no blind retries).
 */
export function createGitHubApp(config: GitHubConfig, log: PinoLogger): Probot {
  return new Probot({
    appId: config.appId,
    privateKey: config.privateKey.reveal(),
    secret: config.webhookSecret.reveal(),
    baseUrl: config.apiUrl,
    webhookPath: config.webhookPath,
    log,
    Octokit: AppOctokit,
  });
}
