import type { EmergencyMerge, EmergencyTrigger } from "../policy/model/model.js";
import type { FileChange, PolicyRepo } from "../repos/policy-repo.js";
import { RefNotFoundError } from "../repos/policy-repo.js";
import { retryOnHeadMoved } from "../repos/retry-on-head-moved.js";
import { operationTrailers } from "./commit-message.js";
import { emergencyEdit } from "./emergency-edit.js";
import type { EmergencyHost, EmergencyProposal, EmergencyWaiting } from "./emergency-host.js";
import { proposalSettingsFrom } from "./emergency-settings.js";
import type { EmergencyCase } from "./emergency-trigger.js";
import type { EmergencyRequest } from "./interrupted-emergencies.js";
import { findMassRevocation } from "./mass-revocation-guard.js";
import { proveRevocationOnly } from "./prove-revocation-only.js";
import type { IdentityRenderer } from "./render-identities.js";

export interface EmergencyOutcome {
  /**
   * merged: on main; unmerged: proven, left for a person (`merge: off`); held: proven, but above the
   * mass-revocation guard, left for review; refused: not revocation-only, left for review; skipped: nothing
   * to revoke on main or not a trigger there.
   */
  readonly status: "merged" | "unmerged" | "held" | "refused" | "skipped";
  /** Counts, settings and files only: it reaches `/healthz`. */
  readonly reason: string;
  /** Cases the proposal carries (the others were skipped). */
  readonly cases: number;
  readonly branch?: string;
  readonly mergeCommit?: string;
}

export interface EmergencyInput {
  readonly repo: PolicyRepo;
  readonly host: EmergencyHost;
  readonly policyDir: string;
  readonly renderer: IdentityRenderer;
  /** Every case waiting when the worker picked them up, oldest first. */
  readonly cases: readonly EmergencyCase[];
  readonly userNameOf: (id: string) => string | undefined;
  readonly now: () => Date;
  /** An interrupted proposal that is exactly this one, finished instead of opening a second beside it. */
  readonly resumeInterrupted?: (request: EmergencyRequest) => Promise<EmergencyProposal | undefined>;
}

/**
 * DESIGN §5 emergency path for a batch: one proposal from main holding only these revocations, one proof
 * over all of them, merged with a merge commit pinned to the proven head as main's settings say, unless the
 * batch is above the mass-revocation guard. A lost race starts again from the new main (retryOnHeadMoved).
 */
export function runEmergency(input: EmergencyInput): Promise<EmergencyOutcome> {
  return retryOnHeadMoved(() => attemptEmergency(input));
}

async function attemptEmergency(input: EmergencyInput): Promise<EmergencyOutcome> {
  const { repo } = input;
  const dir = input.policyDir.replace(/^\/+|\/+$/g, "");
  const prefix = dir === "" ? "" : `${dir}/`;
  const base = await repo.head(repo.baseBranch);
  if (base === undefined) throw new RefNotFoundError(repo.baseBranch);
  const mainFiles = policyFilesOnly(await repo.readFiles(base, dir));
  const now = input.now();
  const settings = proposalSettingsFrom(mainFiles.get("settings.yaml"), { dir, now });
  const applicable = input.cases.filter((emergency) =>
    settings.emergency.triggers.includes(emergency.trigger),
  );
  if (applicable.length === 0) {
    const triggers = [...new Set(input.cases.map((emergency) => emergency.trigger))].join(", ");
    return { status: "skipped", reason: `main's settings do not list ${triggers} as a trigger`, cases: 0 };
  }

  const identities = new Map(
    [...mainFiles]
      .filter(([path]) => path.startsWith("identities/"))
      .map(([path, text]) => [path.slice("identities/".length), text]),
  );
  const index = input.renderer.indexById(identities);
  const carried: { emergency: EmergencyCase; slug: string; revoked: readonly string[] }[] = [];
  const changed = new Set<string>();
  let lastSkip = "";
  for (const emergency of applicable) {
    const edit = emergencyEdit(emergency, identities, input.renderer, input.userNameOf, index);
    if (edit.kind === "nothing") {
      lastSkip = edit.reason;
      continue;
    }
    if (edit.content === null) identities.delete(edit.path);
    else identities.set(edit.path, edit.content);
    changed.add(edit.path);
    carried.push({ emergency, slug: edit.slug, revoked: edit.revoked });
  }
  if (carried.length === 0) {
    const reason =
      applicable.length === 1 ? lastSkip : `nothing to revoke on main for ${applicable.length} cases`;
    return { status: "skipped", reason, cases: 0 };
  }

  const branchFiles = new Map(mainFiles);
  const changes: FileChange[] = [];
  for (const path of changed) {
    const text = identities.get(path);
    if (text === undefined) branchFiles.delete(`identities/${path}`);
    else branchFiles.set(`identities/${path}`, text);
    changes.push({ path: `${prefix}identities/${path}`, content: text ?? null });
  }
  const proof = proveRevocationOnly(mainFiles, branchFiles, { dir, now });
  const held = proof.proven ? findMassRevocation(proof.diff, proof.holders, settings.guards) : undefined;
  const describe = describeBatch(carried);
  const trailers = [
    ...trailersOf(carried.map((entry) => entry.emergency)),
    `SCIM-Emergency: ${[...new Set(carried.map((entry) => entry.emergency.trigger))].join(", ")}`,
  ];
  const verdict = !proof.proven
    ? `Not merged: ${proof.reason}.`
    : held !== undefined
      ? `Not merged: ${held.reason}.`
      : settings.emergency.merge === "off"
        ? "Not merged: emergency.merge is off, so a person merges it."
        : undefined;
  const message = [
    describe.subject,
    "",
    describe.body,
    ...(verdict === undefined ? [] : ["", verdict]),
    "",
    ...trailers,
    "",
  ].join("\n");
  const proposal =
    (await input.resumeInterrupted?.({ base, changes, message })) ??
    (await input.host.open({ name: `${describe.name}-${utcStamp(now)}`, base, changes, proof, message }));
  const cases = carried.length;
  const { branch } = proposal;
  if (!proof.proven) return { status: "refused", reason: `not merged: ${proof.reason}`, cases, branch };
  if (held !== undefined) return { status: "held", reason: held.reason, cases, branch };
  if (settings.emergency.merge === "off") {
    return { status: "unmerged", reason: "proven revocation-only; emergency.merge is off", cases, branch };
  }
  const lost = proof.diff.revocations;
  const mergeMessage = [
    describe.mergeSubject,
    "",
    `Merge ${branch} at ${proposal.head}, proven revocation-only: ${proof.diff.peopleLosing} person(s) lose ` +
      `${lost} permission(s), nobody gains anything.`,
    "",
    ...trailers,
    `Revocation-Only: proven`,
    `Emergency-Merge: ${mergeMode(settings.emergency.merge)}`,
    "",
  ].join("\n");
  const merged = await mergeOrDiscard(input.host, proposal, {
    base,
    message: mergeMessage,
    mode: settings.emergency.merge,
  });
  if (typeof merged !== "string") {
    return { status: "unmerged", reason: `proven revocation-only; ${merged.waiting}`, cases, branch };
  }
  return { status: "merged", reason: `revoked ${lost} permission(s)`, cases, branch, mergeCommit: merged };
}

/** A proposal whose merge failed is opened afresh on the next attempt, so this one must not linger. */
async function mergeOrDiscard(
  host: EmergencyHost,
  proposal: EmergencyProposal,
  request: { readonly base: string; readonly message: string; readonly mode: "direct" | "auto" },
): Promise<string | EmergencyWaiting> {
  try {
    return await host.merge(proposal, request);
  } catch (error) {
    await host.discard(proposal);
    throw error;
  }
}

interface BatchDescription {
  readonly name: string;
  readonly subject: string;
  readonly body: string;
  readonly mergeSubject: string;
}

function describeBatch(
  carried: readonly { emergency: EmergencyCase; slug: string; revoked: readonly string[] }[],
): BatchDescription {
  const only = carried.length === 1 ? carried[0] : undefined;
  if (only !== undefined) {
    const { emergency } = only;
    const label = emergency.kind === "user" ? emergency.userName : `group ${emergency.displayName}`;
    return {
      name: only.slug,
      subject: `Revoke ${only.revoked.join(", ")}: ${emergency.trigger} in the identity provider`,
      body: `Emergency deprovisioning (${emergency.trigger}) of ${label}; this commit holds only the revocation.`,
      mergeSubject: `Emergency deprovision: ${label} (${emergency.trigger})`,
    };
  }
  const people = new Set(carried.flatMap((entry) => entry.revoked));
  const triggers = triggerList(carried.map((entry) => entry.emergency.trigger));
  return {
    name: `batch-${carried.length}-cases-${people.size}-people`,
    subject: `Revoke ${people.size} people: ${triggers} in the identity provider`,
    body:
      `Emergency deprovisioning of ${carried.length} identity provider change(s) waiting together ` +
      `(${triggers}); this commit holds only the revocations: ${[...people].sort().join(", ")}.`,
    mergeSubject: `Emergency deprovision: ${people.size} people (${triggers})`,
  };
}

function trailersOf(cases: readonly EmergencyCase[]): string[] {
  const recovered = cases
    .filter((emergency) => emergency.operation === undefined)
    .map(
      (emergency) =>
        `SCIM-Recovered: ${emergency.kind === "user" ? "User" : "Group"} ${emergency.id} found at start-up`,
    );
  const operations = cases.flatMap((emergency) =>
    emergency.operation === undefined ? [] : [emergency.operation],
  );
  return [...recovered, ...operationTrailers(operations)];
}

function triggerList(triggers: readonly EmergencyTrigger[]): string {
  return [...new Set(triggers)].join(", ");
}

/** What `validate` reads too: the editor schemas and READMEs next to the policy are not part of it. */
function policyFilesOnly(files: Map<string, string>): Map<string, string> {
  return new Map([...files].filter(([path]) => /\.ya?ml$/.test(path)));
}

/** Embedded mode has no CI to wait for, so `auto` merges as `direct` does once proven. */
function mergeMode(merge: EmergencyMerge): string {
  return merge === "auto" ? "auto (no required checks in embedded mode: merged directly)" : merge;
}

/** `20261129T021500Z`: sorts by time and is safe in a ref name. */
function utcStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "");
}
