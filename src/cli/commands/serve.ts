import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "../command.js";
import { EXIT_ERROR, EXIT_OK, UsageError } from "../errors.js";
import { DEFAULT_SCIM_RATE_LIMIT } from "../../scim/rate-limit.js";
import { createLogger } from "../../server/logger.js";
import { resolveScimTokens } from "../../server/scim-token.js";
import { startService } from "../../server/start-service.js";

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
from the bundled example policies on first run. Also serves GET /healthz and GET /metrics (no token).

Options:
  --repo PATH   the policy repository (default: ${DEFAULT_REPO})
  --data DIR    the identity ledger and the generated token (default: ${DEFAULT_DATA})
  --port N      the port (default: PORT, else ${DEFAULT_PORT}; 0 picks any free port)
  --host HOST   the address to listen on (default: 127.0.0.1; 0.0.0.0 to let an IdP reach it)
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

Once listening it prints the SCIM base URL on a line of its own. SIGTERM or SIGINT: stops accepting,
flushes pending proposals, closes the ledger and exits 0.

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
    if (config.github !== undefined) {
      context.stderr.write(
        "scim-gitops serve: GitHub App credentials are set (APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH), but " +
          "GitHub mode is not available in this version yet. Unset them to serve on a git repository on disk " +
          "(--repo PATH).\n",
      );
      return EXIT_ERROR;
    }
    const port = parsePort(values.port as string | undefined) ?? config.port ?? DEFAULT_PORT;
    const dataDir = resolve(context.cwd, (values.data as string | undefined) ?? DEFAULT_DATA);
    const repoPath = resolve(context.cwd, (values.repo as string | undefined) ?? DEFAULT_REPO);
    const host = (values.host as string | undefined) ?? "127.0.0.1";
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const tokenSource = await resolveScimTokens(config, join(dataDir, "scim-token"));
    const log = createLogger({
      write: (line) => context.stderr.write(line),
      secrets: tokenSource.tokens,
      now: context.now,
    });
    const service = await startService({
      repoPath,
      dataDir,
      port,
      host,
      policyDir: config.env["POLICY_DIR"]?.trim() || "policies",
      tokens: tokenSource.tokens,
      log,
      scimRateLimit: config.scimRateLimit,
      ledgerGroupCommit: config.ledgerGroupCommit,
      ...(values["apply-on-merge"] === true ? { applyOnMerge: { config } } : {}),
    });
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
    context.stdout.write(
      [
        `Policy repository: ${repoPath} (git; proposals on scim-gitops/sync, emergencies merged into main)`,
        `Identity ledger: ${dataDir} (${service.ledger.list("User").length} users, ${service.ledger.list("Group").length} groups)`,
        tokenSource.description,
        `Health: ${service.scimUrl.replace(/\/scim\/v2$/, "/healthz")}   Metrics: ${service.scimUrl.replace(/\/scim\/v2$/, "/metrics")}`,
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

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port ${text} is not a port number: use 0 (any free port) to 65535`);
  }
  return port;
}
