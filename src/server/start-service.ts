/**
 * Composes the service (DESIGN §8) on either backend: the policy repository on disk (embedded mode) or the
 * proposal parts GitHub mode hands in; the identity ledger under `--data`, the proposer following it, and
 * one HTTP server, which in GitHub mode also takes the webhooks. `close()` shuts down in the order that
 * loses nothing: stop accepting, let requests in flight finish, flush pending proposals, close the ledger.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { JournalLedger } from "../ledger/journal-ledger-contract.js";
import { openLedger } from "../ledger/journal-ledger.js";
import { readLedgerSeed } from "../proposals/ledger-seed.js";
import { startProposer, type Proposer, type ProposerOptions } from "../proposals/proposer.js";
import {
  startBackgroundThread,
  threadSettingsOf,
  type BackgroundThread,
} from "./background/background-thread.js";
import { BUNDLED_POLICIES, openGitPolicyRepo } from "../repos/git/open-git-policy-repo.js";
import type { PolicyRepo } from "../repos/policy-repo.js";
import { createScimHandler } from "../scim/handler.js";
import { rateLimitOf } from "../scim/rate-limit.js";
import type { Secret } from "../secret.js";
import type { Config } from "../config.js";
import { startApplyOnMerge, type ApplyOnMergeState } from "./apply-on-merge.js";
import { buildHealthReport } from "./health.js";
import type { Logger } from "./logger.js";
import { ServiceMetrics } from "./metrics.js";
import { cachedRepositoryHealth } from "./repository-health.js";
import { createServiceServer } from "./service-server.js";

/** Where proposals go: a git repository on disk, or a repository elsewhere with its own proposal parts. */
export type ServiceBackend =
  | { readonly repoPath: string; readonly proposals?: never }
  | {
      readonly repoPath?: never;
      /** GitHub mode: `gitHubProposals(...).proposer` (the repository, emergency PRs, the sync PR). */
      readonly proposals: Pick<ProposerOptions, "repo" | "emergencyHost" | "afterSync">;
    };

/** Requests the service does not answer itself (GitHub mode: Probot's webhooks). */
export interface ExtraHandler {
  /** Resolves true once it answered; false leaves the request to the JSON 404. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Runs once the server stopped accepting, before pending proposals are flushed. */
  close?(): Promise<void>;
}

export type ServiceOptions = ServiceBackend & {
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
  /** Built once the proposer runs, before the server listens; asked after SCIM, health and metrics. */
  readonly extraHandler?: (service: { readonly proposer: Proposer }) => Promise<ExtraHandler>;
  /** SCIM requests per second before 429 (default DEFAULT_SCIM_RATE_LIMIT); 0: no limit. */
  readonly scimRateLimit?: number;
  /** The ledger's group commit (default on); off only for the load benchmark's baseline. */
  readonly ledgerGroupCommit?: boolean;
  /**
   * Embedded mode: run the proposer and apply-on-merge on a worker thread of their own
   * (`startBackgroundThread`), so their flushes, proofs and applies never hold a SCIM request. `serve`
   * does; in-process tests do not, since the thread loads the built JavaScript.
   */
  readonly backgroundThread?: boolean;
};

export interface RunningService {
  /** `http://HOST:PORT/scim/v2`. */
  readonly scimUrl: string;
  readonly port: number;
  readonly ledger: JournalLedger;
  readonly repo: PolicyRepo;
  readonly proposer: Proposer;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { log } = options;
  const policyDir = options.policyDir ?? "policies";
  const repo =
    options.proposals !== undefined
      ? options.proposals.repo
      : await openGitPolicyRepo(options.repoPath, { createFrom: BUNDLED_POLICIES, policyDir });
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
  const proposing =
    options.backgroundThread === true && options.repoPath !== undefined
      ? withClose(
          startBackgroundThread({
            ledger,
            repoPath: options.repoPath,
            policyDir,
            settings: threadSettingsOf(options.proposer),
            ...(options.applyOnMerge === undefined ? {} : { applyOnMerge: options.applyOnMerge }),
            log,
          }),
        )
      : await proposeInProcess(options, { ledger, repo, policyDir });
  const { proposer } = proposing;
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
  let extra: ExtraHandler | undefined;
  const closeParts = async () => {
    scim.close();
    await extra?.close?.();
    await proposing.close();
    await ledger.close();
  };
  try {
    extra = await options.extraHandler?.({ proposer });
  } catch (error) {
    await closeParts();
    throw error;
  }
  const fallback = extra;
  const server = createServiceServer({
    scim,
    ...(fallback === undefined ? {} : { fallback: (req, res) => fallback.handle(req, res) }),
    metrics,
    renderMetrics: () => metrics.render(ledger.health(), proposer.state(), proposing.applyState()),
    health: async () =>
      buildHealthReport({
        ledger: ledger.health(),
        repository: await repositoryHealth(),
        proposer: proposer.state(),
        ...(proposing.applyState() === undefined ? {} : { apply: proposing.applyState() }),
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
    await closeParts();
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
    server,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        await stopServer(server, options.drainMs ?? 10_000);
        await closeParts();
      })();
      return closing;
    },
  };
}

/** The proposer (and apply-on-merge) however they run: what the service reads and closes. */
interface Proposing {
  readonly proposer: Proposer;
  applyState(): ApplyOnMergeState | undefined;
  /** Pending proposals flushed, then the apply in progress finished. */
  close(): Promise<void>;
}

function withClose(thread: BackgroundThread): Proposing {
  // The thread closes its applier after its proposer.
  return { ...thread, close: () => thread.proposer.close() };
}

/** The proposer and apply-on-merge on the service's own thread: GitHub mode, and in-process tests. */
async function proposeInProcess(
  options: ServiceOptions,
  parts: { readonly ledger: JournalLedger; readonly repo: PolicyRepo; readonly policyDir: string },
): Promise<Proposing> {
  const { log } = options;
  const proposer = startProposer({
    ...parts,
    ...options.proposals,
    log: {
      info: (line) => log.info(line),
      warn: (line) => log.warn(line),
      error: (line) => log.error(line),
    },
    ...options.proposer,
  });
  const applier =
    options.applyOnMerge === undefined
      ? undefined
      : startApplyOnMerge({ ...parts, config: options.applyOnMerge.config, log });
  if (applier !== undefined) {
    proposer.onMainMoved((head) => applier.mainMoved(head));
    // A merge made while serve was down (or an apply cut short by a crash) is applied now.
    const head = await parts.repo.head(parts.repo.baseBranch);
    if (head !== undefined) applier.mainMoved(head);
  }
  return {
    proposer,
    applyState: () => applier?.state(),
    async close() {
      await proposer.close();
      await applier?.close();
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
