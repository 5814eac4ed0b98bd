import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "../command.js";
import { EXIT_OK, UsageError } from "../errors.js";
import type { GitHubConfig } from "../../config.js";
import { startGitHubService } from "../../app/start-github-service.js";
import { DEFAULT_SCIM_RATE_LIMIT } from "../../scim/rate-limit.js";
import { createLineWriter, createLogger } from "../../server/logger.js";
import { resolveScimTokens } from "../../server/scim-token.js";
import type { RunningService } from "../../server/start-service.js";
import { startService } from "../../server/start-service.js";
import { EMERGENCY_LABEL } from "../../proposals/github/github-emergency-host.js";
import { SYNC_BRANCH } from "../../proposals/sync-branch.js";

const DEFAULT_DATA = ".scim-gitops/data";
const DEFAULT_REPO = ".scim-gitops/policy-repo";
const DEFAULT_PORT = 8080;

export const serveCommand: Command = {
  name: "serve",
  summary: "Run the SCIM service and turn identity changes into commits on the policy repository",
  help: `Usage: scim-gitops serve [--repo PATH] [--data DIR] [--port N] [--host HOST] [--apply-on-merge]

Serves SCIM 2.0 under /scim/v2 for the identity provider, keeps what it pushes in a durable identity
ledger, and proposes every change as a commit on the branch scim-gitops/sync of the policy
repository; a deactivation or deletion is merged into main at once as a revocation-only emergency
change. Without GitHub App credentials the policy repository is a git repository on disk, created
from the bundled example policies on first run. With them (GitHub mode) it is POLICY_REPO on GitHub:
changes are pull requests, emergencies are pull requests labelled ${EMERGENCY_LABEL} merged by the
App, and the same server takes the App's webhooks and posts the revocation-guard and access-diff
checks on every pull request. Also serves GET /healthz and GET /metrics (no token).

Options:
  --repo PATH   the policy repository on disk, embedded mode only (default: ${DEFAULT_REPO})
  --data DIR    the identity ledger and the generated token (default: ${DEFAULT_DATA})
  --port N      the port (default: PORT, else ${DEFAULT_PORT}; 0 picks any free port)
  --host HOST   the address to listen on (default: 127.0.0.1; 0.0.0.0 to let an IdP or GitHub reach it)
  --apply-on-merge
                apply main's policy to the configured targets (as scim-gitops apply does) at start
                and whenever main moves: an emergency merge, or a person merging the sync branch

Environment:
  SCIM_TOKEN        bearer token(s) the IdP sends, comma-separated during a rotation
  SCIM_TOKEN_FILE   a file holding them instead; with neither set, serve generates one into
                    <data>/scim-token (mode 0600) and prints that path, never the token
  PORT              the port, as --port
  SCIM_RATE_LIMIT   SCIM requests per second before 429 with Retry-After (default ${DEFAULT_SCIM_RATE_LIMIT}, bursts up
                    to twice that); 0 turns the limit off
  PULSAR_*, NATS_*  the targets --apply-on-merge applies to (see scim-gitops apply --help)
  POLICY_DIR        where the policies sit inside the repository (default: policies)

GitHub mode (when APP_ID or a private key is set; Probot's variables):
  APP_ID            the App's id
  PRIVATE_KEY       the App's private key: the .pem file's text, base64 of it, or with \\n for line breaks
  PRIVATE_KEY_PATH  or the path of the .pem file
  WEBHOOK_SECRET    the App's webhook secret (required: serve refuses to start without it)
  WEBHOOK_PATH      where the webhooks are served (default: /api/github/webhooks)
  GHE_HOST          GitHub Enterprise Server's host name (API at GHE_PROTOCOL://GHE_HOST/api/v3)
  GHE_PROTOCOL      https (default) or http
  POLICY_REPO       the policy repository, owner/name (required); the App must be installed on it
  POLICY_BASE_BRANCH  the branch pull requests merge into (default: main)
  LOG_LEVEL         Probot's log level: trace, debug, info (default), warn, error, fatal, silent

Once listening it prints the SCIM base URL on a line of its own (in GitHub mode the webhook URL
before it). SIGTERM or SIGINT: stops accepting, flushes pending proposals, closes the ledger and
exits 0.

Exit codes: 0 stopped by a signal, 1 could not start (the message says why).
`,
  options: {
    repo: { type: "string" },
    data: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    "apply-on-merge": { type: "boolean", default: false },
  },
  async run({ values }, context) {
    const { config } = context;
    const github = config.github();
    if (github !== undefined && values.repo !== undefined) {
      throw new UsageError(
        `--repo is the embedded mode's repository on disk; in GitHub mode the policy repository is ` +
          `POLICY_REPO (${github.owner}/${github.repo}): drop --repo, or unset APP_ID and the private key`,
      );
    }
    const port = parsePort(values.port as string | undefined) ?? config.port ?? DEFAULT_PORT;
    const dataDir = resolve(context.cwd, (values.data as string | undefined) ?? DEFAULT_DATA);
    const host = (values.host as string | undefined) ?? "127.0.0.1";
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const tokenSource = await resolveScimTokens(config, join(dataDir, "scim-token"));
    const logOptions = {
      write: (line: string) => context.stderr.write(line),
      secrets: () => [
        ...tokenSource.tokens(),
        ...(github === undefined ? [] : [github.privateKey, github.webhookSecret]),
      ],
      now: context.now,
    };
    const log = createLogger(logOptions);
    const common = {
      dataDir,
      port,
      host,
      tokens: tokenSource.tokens,
      log,
      scimRateLimit: config.scimRateLimit,
      ledgerGroupCommit: config.ledgerGroupCommit,
      ...(values["apply-on-merge"] === true ? { applyOnMerge: { config } } : {}),
    };
    let service: RunningService;
    let repositoryLines: string[];
    if (github === undefined) {
      const repoPath = resolve(context.cwd, (values.repo as string | undefined) ?? DEFAULT_REPO);
      service = await startService({
        ...common,
        repoPath,
        policyDir: config.env["POLICY_DIR"]?.trim() || "policies",
        backgroundThread: true,
      });
      repositoryLines = [
        `Policy repository: ${repoPath} (git; proposals on ${SYNC_BRANCH}, emergencies merged into main)`,
      ];
    } else {
      const running = await startGitHubService({
        ...common,
        github,
        writeLine: createLineWriter(logOptions),
      });
      service = running;
      repositoryLines = gitHubLines(github, running.installationId, running.webhookUrl);
    }
    let stopping: NodeJS.Signals | undefined;
    let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
    const stopped = new Promise<NodeJS.Signals>((done) => {
      onSignal = (signal) => {
        // A repeated signal must not kill the process mid-flush: the listener stays, so Node never falls
        // back to the default action; kill -9 remains the way to force it.
        if (stopping !== undefined)
          return log.warn(`${signal}: already stopping after ${stopping}; flushing`);
        stopping = signal;
        done(signal);
      };
    });
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    const origin = service.scimUrl.replace(/\/scim\/v2$/, "");
    context.stdout.write(
      [
        ...repositoryLines,
        `Identity ledger: ${dataDir} (${service.ledger.list("User").length} users, ${service.ledger.list("Group").length} groups)`,
        tokenSource.description,
        `Health: ${origin}/healthz   Metrics: ${origin}/metrics`,
        service.scimUrl,
        "",
      ].join("\n"),
    );
    const signal = await stopped;
    log.info(`${signal}: stopping; flushing pending proposals`);
    await service.close();
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    log.info("stopped");
    return EXIT_OK;
  },
};

function gitHubLines(github: GitHubConfig, installationId: number, webhookUrl: string): string[] {
  const host = github.enterpriseHost ?? "github.com";
  return [
    `Policy repository: ${github.owner}/${github.repo} on ${host} (GitHub App ${github.appId}, installation ` +
      `${installationId}; pull requests from ${SYNC_BRANCH} into ${github.baseBranch}, emergencies labelled ` +
      `${EMERGENCY_LABEL})`,
    `Webhooks: ${webhookUrl} (the App's webhook URL, as GitHub reaches this server)`,
  ];
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port ${text} is not a port number: use 0 (any free port) to 65535`);
  }
  return port;
}
