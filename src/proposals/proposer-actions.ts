import type { IdentityLedger } from "../ledger/ledger.js";
import type { EmergencyTrigger } from "../policy/model/model.js";
import type { PolicyRepo } from "../repos/policy-repo.js";
import type { OperationRef } from "./commit-message.js";
import type { EmergencyOutcome } from "./emergency.js";
import { runEmergency } from "./emergency.js";
import type { EmergencyHost } from "./emergency-host.js";
import { emergencySettingsFrom } from "./emergency-settings.js";
import type { EmergencyCase } from "./emergency-trigger.js";
import { InterruptedEmergencies } from "./interrupted-emergencies.js";
import { recoverEmergencies } from "./recover-emergencies.js";
import { IdentityRenderer } from "./render-identities.js";
import type { KnownSync, SyncResult } from "./sync-branch.js";
import { flushSyncBranch, identitiesDir } from "./sync-branch.js";

export interface Recovery {
  /** Main's head, undefined when the base branch does not exist yet. */
  readonly base: string | undefined;
  readonly triggers: readonly EmergencyTrigger[];
  /** Deactivations acknowledged while no proposer ran, less those an open proposal already holds. */
  readonly found: readonly EmergencyCase[];
  /** Emergency proposals from before the start that someone else finishes (auto-merge, a review): kept. */
  readonly kept?: number;
  /**
   * Fully opened ones the bot was still merging when it stopped: their cases are proposed again, and a
   * proposal that would be exactly one of these finishes it instead (`InterruptedEmergencies`).
   */
  readonly interrupted?: number;
  /** Half-made ones the bot was still working on when it stopped: closed, their cases proposed afresh. */
  readonly discarded?: number;
}

/** What the worker does to the policy repository: one call per core action. */
export interface ProposerActions {
  recover(): Promise<Recovery>;
  readTriggers(head: string): Promise<readonly EmergencyTrigger[]>;
  commitSync(operations: readonly OperationRef[]): Promise<SyncResult>;
  /** What follows a successful flush (GitHub mode: the sync pull request); the commit stands if it fails. */
  afterSync(result: SyncResult): Promise<void>;
  proposeEmergencies(cases: readonly EmergencyCase[]): Promise<EmergencyOutcome>;
  readMainHead(): Promise<string | undefined>;
}

export interface ActionOptions {
  readonly repo: PolicyRepo;
  readonly host: EmergencyHost;
  readonly ledger: IdentityLedger;
  readonly policyDir: string;
  readonly now: () => Date;
  /** When a user the ledger no longer holds was deleted, for the tombstone. */
  readonly deletedAt: (id: string) => string;
  /**
   * Called after each successful sync flush, e.g. to open or update the sync pull request. The commit has
   * landed by then, so a failure here costs nothing committed: the worker runs it again after a backoff.
   */
  readonly afterSync?: (result: SyncResult) => Promise<void>;
}

/**
 * The embedded host's actions (DESIGN §8): the sync branch rebuilt with git plumbing, emergencies through
 * `host`. The sync branch's last known files and the operations it carries beyond main are kept here, so
 * a flush neither reads back what it wrote nor forgets what an earlier commit named.
 */
export function repositoryActions(options: ActionOptions): ProposerActions {
  const { repo, ledger, policyDir, now } = options;
  const renderer = new IdentityRenderer();
  let known: KnownSync | undefined;
  let carried: readonly OperationRef[] = [];
  let interrupted = new InterruptedEmergencies(repo, options.host, []);
  const triggersAt = async (head: string) => {
    const settings = await repo.readFile(head, inPolicyDir(policyDir, "settings.yaml"));
    return emergencySettingsFrom(settings, { dir: policyDir, now: now() }).triggers;
  };
  return {
    async recover() {
      const base = await repo.head(repo.baseBranch);
      if (base === undefined) return { base, triggers: [], found: [] };
      const triggers = await triggersAt(base);
      // A restart never opens a second proposal for a case an open one holds (issue 12).
      const open = await options.host.openProposals();
      const orphans = open.filter((proposal) => !proposal.waiting);
      const halfMade = orphans.filter((proposal) => !proposal.complete);
      for (const proposal of halfMade) await options.host.discard(proposal);
      interrupted = new InterruptedEmergencies(
        repo,
        options.host,
        orphans.filter((proposal) => proposal.complete),
      );
      const held = new Set(
        open
          .filter((proposal) => proposal.waiting)
          .flatMap((proposal) => proposal.identities.map((identity) => `${identity.type} ${identity.id}`)),
      );
      const main = await repo.readFiles(base, identitiesDir(policyDir));
      const found = recoverEmergencies(ledger, main, renderer, triggers, now().toISOString()).filter(
        (emergency) => !held.has(`${emergency.kind === "user" ? "User" : "Group"} ${emergency.id}`),
      );
      return {
        base,
        triggers,
        found,
        kept: open.length - orphans.length,
        interrupted: interrupted.size,
        discarded: halfMade.length,
      };
    },
    readTriggers: triggersAt,
    async commitSync(operations) {
      const result = await flushSyncBranch({
        repo,
        policyDir,
        renderer,
        ledger: { users: ledger.list("User"), groups: ledger.list("Group") },
        operations,
        carried,
        lastModifiedOf: ({ type, id }) => lastModified(ledger.get(type, id)?.["meta"]),
        deletedAt: options.deletedAt,
        ...(known === undefined ? {} : { known }),
      });
      known = result.known;
      carried = result.carried;
      return result;
    },
    async afterSync(result) {
      await options.afterSync?.(result);
    },
    proposeEmergencies(cases) {
      return runEmergency({
        repo,
        host: options.host,
        policyDir,
        renderer,
        cases,
        now,
        resumeInterrupted: (request) => interrupted.take(request),
        userNameOf: (id) => stringField(ledger.get("User", id)?.["userName"]),
      });
    },
    readMainHead: () => repo.head(repo.baseBranch),
  };
}

function inPolicyDir(policyDir: string, path: string): string {
  const dir = policyDir.replace(/^\/+|\/+$/g, "");
  return dir === "" ? path : `${dir}/${path}`;
}

function stringField(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function lastModified(meta: unknown): string | undefined {
  if (typeof meta !== "object" || meta === null) return undefined;
  return stringField((meta as { lastModified?: unknown }).lastModified);
}
