import type { FileChange, PolicyRepo } from "../repos/policy-repo.js";
import { identitiesNamed } from "./commit-message.js";
import type { EmergencyHost, EmergencyProposal, OpenEmergency } from "./emergency-host.js";
import { leftForReview } from "./emergency-host.js";

/** What the emergency path is about to open: a proposal on `base` holding exactly `changes`. */
export interface EmergencyRequest {
  readonly base: string;
  readonly changes: readonly FileChange[];
  readonly message: string;
}

/**
 * Emergency proposals a stop interrupted after they were fully opened and before their merge (issue 12).
 * The restart proposes their cases again; when what it would open is exactly one of these (one commit on
 * the same main head, the same files, for the same identities, with the same verdict), that one is finished
 * instead of a second PR being opened beside it. Trailers may differ: after a restart the cases are found
 * in the ledger (`SCIM-Recovered`) rather than named by the operation that made them. The others can never match any more and are closed once the emergency path has made
 * its proposal.
 */
export class InterruptedEmergencies {
  readonly #repo: PolicyRepo;
  readonly #host: EmergencyHost;
  #left: OpenEmergency[];

  constructor(repo: PolicyRepo, host: EmergencyHost, interrupted: readonly OpenEmergency[]) {
    this.#repo = repo;
    this.#host = host;
    this.#left = [...interrupted];
  }

  get size(): number {
    return this.#left.length;
  }

  /** The interrupted proposal `request` would duplicate, resumed; undefined when none is (the rest closed). */
  async take(request: EmergencyRequest): Promise<EmergencyProposal | undefined> {
    if (this.#left.length === 0) return undefined;
    let match: OpenEmergency | undefined;
    for (const candidate of this.#left) {
      if (match === undefined && (await this.#holdsExactly(candidate, request))) match = candidate;
    }
    const stale = this.#left.filter((candidate) => candidate !== match);
    this.#left = [];
    for (const proposal of stale) await this.#host.discard(proposal);
    return match === undefined ? undefined : this.#host.resume(match);
  }

  async #holdsExactly(candidate: OpenEmergency, request: EmergencyRequest): Promise<boolean> {
    const commit = await this.#repo.readCommit(candidate.head);
    if (commit.parents.length !== 1 || commit.parents[0] !== request.base) return false;
    if (leftForReview(commit.message) !== leftForReview(request.message)) return false;
    if (identityKeys(commit.message) !== identityKeys(request.message)) return false;
    const wanted = request.changes.map((change) => change.path).sort();
    const changed = await this.#repo.changedPaths(request.base, candidate.head);
    if (changed.join("\n") !== wanted.join("\n")) return false;
    for (const change of request.changes) {
      const text = await this.#repo.readFile(candidate.head, change.path);
      if ((text ?? null) !== change.content) return false;
    }
    return true;
  }
}

function identityKeys(message: string): string {
  return identitiesNamed(message)
    .map(({ type, id }) => `${type} ${id}`)
    .sort()
    .join("\n");
}
