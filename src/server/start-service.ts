/**
 * Composes the embedded-mode service (DESIGN §8): the policy repository on disk, the identity ledger under
 * `--data`, the proposer following it, and one HTTP server. `close()` shuts down in the order that loses
 * nothing: stop accepting, let requests in flight finish, flush pending proposals, close the ledger.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JournalLedger } from "../ledger/journal-ledger-contract.js";
import { openLedger } from "../ledger/journal-ledger.js";
import { readLedgerSeed } from "../proposals/ledger-seed.js";
import { startProposer, type Proposer, type ProposerOptions } from "../proposals/proposer.js";
import type { GitPolicyRepo } from "../repos/git/git-policy-repo.js";
import { BUNDLED_POLICIES, openGitPolicyRepo } from "../repos/git/open-git-policy-repo.js";
import { createScimHandler } from "../scim/handler.js";
import { rateLimitOf } from "../scim/rate-limit.js";
import type { Secret } from "../secret.js";
import type { Config } from "../config.js";
import { startApplyOnMerge, type ApplyOnMerge } from "./apply-on-merge.js";
import { buildHealthReport, type RepositoryHealth } from "./health.js";
import type { Logger } from "./logger.js";
import { ServiceMetrics } from "./metrics.js";
import { createServiceServer } from "./service-server.js";

export interface ServiceOptions {
  readonly repoPath: string;
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly policyDir?: string;
  readonly tokens: () => readonly Secret[];
  readonly log: Logger;
  /** Debounce, batch size and the like, for tests and benchmarks. */
  readonly proposer?: Partial<Omit<ProposerOptions, "ledger" | "repo" | "log">>;
  /** How long `close()` lets requests in flight finish before cutting their connections. */
  readonly drainMs?: number;
  /** Apply main's policy to the configured targets at start and whenever main moves. */
  readonly applyOnMerge?: { readonly config: Config };
  /** SCIM requests per second before 429 (default DEFAULT_SCIM_RATE_LIMIT); 0: no limit. */
  readonly scimRateLimit?: number;
  /** The ledger's group commit (default on); off only for the load benchmark's baseline. */
  readonly ledgerGroupCommit?: boolean;
}

export interface RunningService {
  /** `http://HOST:PORT/scim/v2`. */
  readonly scimUrl: string;
  readonly port: number;
  readonly ledger: JournalLedger;
  readonly repo: GitPolicyRepo;
  readonly proposer: Proposer;
  readonly applier: ApplyOnMerge | undefined;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { log } = options;
  const policyDir = options.policyDir ?? "policies";
  const repo = await openGitPolicyRepo(options.repoPath, { createFrom: BUNDLED_POLICIES, policyDir });
  const ledger = await openLedger({
    dir: options.dataDir,
    seed: async () => {
      const seed = await readLedgerSeed(repo, { policyDir });
      log.info(`ledger: no data yet; starting from the identities on ${seed.from} of the policy repository`);
      return seed;
    },
    log: (line) => log.info(line),
    groupCommit: options.ledgerGroupCommit ?? true,
  });
  const proposer = startProposer({
    ledger,
    repo,
    policyDir,
    log: { info: (line) => log.info(line), warn: (line) => log.warn(line), error: (line) => log.error(line) },
    ...options.proposer,
  });
  const applier =
    options.applyOnMerge === undefined
      ? undefined
      : startApplyOnMerge({ repo, policyDir, config: options.applyOnMerge.config, log });
  if (applier !== undefined) {
    proposer.onMainMoved((head) => applier.mainMoved(head));
    // A merge made while serve was down (or an apply cut short by a crash) is applied now.
    const head = await repo.head(repo.baseBranch);
    if (head !== undefined) applier.mainMoved(head);
  }
  const metrics = new ServiceMetrics();
  let shuttingDown = false;
  const repositoryHealth = cachedRepositoryHealth(repo);
  const scim = createScimHandler({
    ledger,
    tokens: options.tokens,
    ...(options.scimRateLimit === undefined
      ? {}
      : { rateLimit: options.scimRateLimit === 0 ? false : rateLimitOf(options.scimRateLimit) }),
    onError: (error) => log.error("SCIM request failed", { error }),
    onWarning: (message, fields) => log.warn(message, fields),
  });
  const server = createServiceServer({
    scim,
    metrics,
    renderMetrics: () => metrics.render(ledger.health(), proposer.state(), applier?.state()),
    health: async () =>
      buildHealthReport({
        ledger: ledger.health(),
        repository: await repositoryHealth(),
        proposer: proposer.state(),
        ...(applier === undefined ? {} : { apply: applier.state() }),
        shuttingDown,
      }),
    log,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    scim.close();
    await proposer.close();
    await applier?.close();
    await ledger.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    scimUrl: `http://${shownHost}:${port}/scim/v2`,
    port,
    ledger,
    repo,
    proposer,
    applier,
    server,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        await stopServer(server, options.drainMs ?? 10_000);
        scim.close();
        await proposer.close();
        await applier?.close();
        await ledger.close();
      })();
      return closing;
    },
  };
}

async function stopServer(server: Server, drainMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), drainMs);
  await closed;
  clearTimeout(timer);
}

/** One `git` call at most per second, however often a probe asks. */
function cachedRepositoryHealth(repo: GitPolicyRepo): () => Promise<RepositoryHealth> {
  let last: { at: number; health: RepositoryHealth } | undefined;
  return async () => {
    if (last !== undefined && Date.now() - last.at < 1_000) return last.health;
    let health: RepositoryHealth;
    try {
      const mainHead = await repo.head(repo.baseBranch);
      health =
        mainHead === undefined
          ? { ok: false, location: repo.location, error: `${repo.baseBranch} does not exist` }
          : { ok: true, location: repo.location, mainHead };
    } catch (error) {
      health = {
        ok: false,
        location: repo.location,
        error: error instanceof Error ? error.message : "unreadable",
      };
    }
    last = { at: Date.now(), health };
    return health;
  };
}
