import { createNodeMiddleware } from "probot";
import scimGitopsApp, { createGitHubApp } from "../app.js";
import type { Config, GitHubConfig } from "../config.js";
import { gitHubProposals } from "../proposals/github/github-proposals.js";
import type { ProposerOptions } from "../proposals/proposer.js";
import type { Secret } from "../secret.js";
import type { LineWriter, Logger } from "../server/logger.js";
import type { RunningService } from "../server/start-service.js";
import { startService } from "../server/start-service.js";
import { CheckQueue } from "./check-queue.js";
import { connectInstallation } from "./connect-installation.js";
import { createProbotLogger } from "./probot-logger.js";

export interface GitHubServiceOptions {
  readonly github: GitHubConfig;
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly tokens: () => readonly Secret[];
  readonly log: Logger;
  /** The same redacting line writer as `log`'s, for Probot's own lines. */
  readonly writeLine: LineWriter;
  readonly applyOnMerge?: { readonly config: Config };
  readonly proposer?: Partial<Omit<ProposerOptions, "ledger" | "repo" | "log">>;
  readonly drainMs?: number;
}

export interface RunningGitHubService extends RunningService {
  /** Where GitHub must post the App's webhooks: `http://HOST:PORT` + WEBHOOK_PATH. */
  readonly webhookUrl: string;
  readonly installationId: number;
}

/**
 * A push webhook tells the proposer main moved, so its poll is only the fallback for lost webhooks, and
 * slow: each look is a request from the installation's 5,000 an hour.
 */
const WATCH_MAIN_MS = 60_000;

/**
 * `serve` in GitHub mode (DESIGN §5, §8): the same composition as embedded mode (ledger, proposer, one HTTP
 * server with `/scim/v2`, `/healthz`, `/metrics`) on the policy repository on GitHub, with the App's
 * webhooks served on WEBHOOK_PATH of that same server. SCIM work uses the installation client; webhooks
 * only nudge the proposer and queue checks.
 */
export async function startGitHubService(options: GitHubServiceOptions): Promise<RunningGitHubService> {
  const { github, log } = options;
  const probotLog = createProbotLogger({ write: options.writeLine, level: github.logLevel });
  const probot = createGitHubApp(github, probotLog);
  const installation = await connectInstallation(probot, github, probotLog);
  const proposals = gitHubProposals({
    client: installation.client,
    owner: github.owner,
    repo: github.repo,
    baseBranch: github.baseBranch,
    policyDir: github.policyDir,
    warn: (line) => log.warn(line),
  });
  const checks = new CheckQueue({
    check: (number) => proposals.checks.check(number),
    warn: (line) => log.warn(line),
  });
  const service = await startService({
    proposals: proposals.proposer,
    dataDir: options.dataDir,
    port: options.port,
    host: options.host,
    policyDir: github.policyDir,
    tokens: options.tokens,
    log,
    proposer: { watchMainMs: WATCH_MAIN_MS, ...options.proposer },
    ...(options.applyOnMerge === undefined ? {} : { applyOnMerge: options.applyOnMerge }),
    ...(options.drainMs === undefined ? {} : { drainMs: options.drainMs }),
    extraHandler: async ({ proposer }) => {
      const app = scimGitopsApp({
        owner: github.owner,
        repo: github.repo,
        baseBranch: github.baseBranch,
        mainMayHaveMoved: () => proposer.mainMayHaveMoved(),
        checkPullRequest: (number) => checks.add(number),
      });
      const middleware = await createNodeMiddleware(app, { probot, webhooksPath: github.webhookPath });
      return {
        handle: async (req, res) => (await middleware(req, res, () => undefined)) === true,
        close: () => checks.close(),
      };
    },
  });
  const origin = service.scimUrl.replace(/\/scim\/v2$/, "");
  return {
    ...service,
    webhookUrl: `${origin}${github.webhookPath}`,
    installationId: installation.installationId,
  };
}
