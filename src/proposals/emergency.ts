import type { EmergencyMerge } from "../policy/model/model.js";
import type { PolicyRepo } from "../repos/policy-repo.js";
import { HeadMovedError, RefNotFoundError } from "../repos/policy-repo.js";
import { retryOnHeadMoved } from "../repos/retry-on-head-moved.js";
import { operationTrailers } from "./commit-message.js";
import { emergencyEdit } from "./emergency-edit.js";
import { emergencySettingsFrom } from "./emergency-settings.js";
import type { EmergencyCase } from "./emergency-trigger.js";
import { proveRevocationOnly } from "./prove-revocation-only.js";
import type { IdentityRenderer } from "./render-identities.js";

const EMERGENCY_PREFIX = "scim-gitops/emergency/";

export interface EmergencyOutcome {
  /**
   * merged: on main; unmerged: proven, left for a person (`merge: off`); refused: not revocation-only, left
   * for review; skipped: nothing to revoke on main or not a trigger there.
   */
  readonly status: "merged" | "unmerged" | "refused" | "skipped";
  readonly reason: string;
  readonly branch?: string;
  readonly mergeCommit?: string;
}

export interface EmergencyInput {
  readonly repo: PolicyRepo;
  readonly policyDir: string;
  readonly renderer: IdentityRenderer;
  readonly emergency: EmergencyCase;
  readonly userNameOf: (id: string) => string | undefined;
  readonly now: () => Date;
}

/**
 * DESIGN §5 emergency path: a fresh branch from main holding only this revocation, proven revocation-only,
 * merged with a merge commit pinned to the proven head as main's settings say. A lost race (main moved)
 * starts again from the new main, capped by retryOnHeadMoved.
 */
export function runEmergency(input: EmergencyInput): Promise<EmergencyOutcome> {
  return retryOnHeadMoved(() => attemptEmergency(input));
}

async function attemptEmergency(input: EmergencyInput): Promise<EmergencyOutcome> {
  const { repo, emergency } = input;
  const dir = input.policyDir.replace(/^\/+|\/+$/g, "");
  const prefix = dir === "" ? "" : `${dir}/`;
  const base = await repo.head(repo.baseBranch);
  if (base === undefined) throw new RefNotFoundError(repo.baseBranch);
  const mainFiles = policyFilesOnly(await repo.readFiles(base, dir));
  const now = input.now();
  const settings = emergencySettingsFrom(mainFiles.get("settings.yaml"), { dir, now });
  if (!settings.triggers.includes(emergency.trigger)) {
    return { status: "skipped", reason: `main's settings do not list ${emergency.trigger} as a trigger` };
  }
  const identities = new Map(
    [...mainFiles]
      .filter(([path]) => path.startsWith("identities/"))
      .map(([path, text]) => [path.slice("identities/".length), text]),
  );
  const edit = emergencyEdit(emergency, identities, input.renderer, input.userNameOf);
  if (edit.kind === "nothing") return { status: "skipped", reason: edit.reason };

  const label = emergency.kind === "user" ? emergency.userName : `group ${emergency.displayName}`;
  const trailers = [
    ...(emergency.operation === undefined
      ? [`SCIM-Recovered: ${emergency.kind === "user" ? "User" : "Group"} ${emergency.id} found at start-up`]
      : operationTrailers([emergency.operation])),
    `SCIM-Emergency: ${emergency.trigger}`,
  ];
  const path = `identities/${edit.path}`;
  const branch = await freshBranchName(repo, `${EMERGENCY_PREFIX}${edit.slug}-${utcStamp(now)}`);
  const head = await repo.commitFiles({
    branch,
    parent: base,
    changes: [{ path: `${prefix}${path}`, content: edit.content }],
    message: [
      `Revoke ${edit.revoked.join(", ")}: ${emergency.trigger} in the identity provider`,
      "",
      `Emergency deprovisioning (${emergency.trigger}) of ${label}; this commit holds only the revocation.`,
      "",
      ...trailers,
      "",
    ].join("\n"),
    update: { kind: "create" },
  });

  const branchFiles = policyFilesOnly(await repo.readFiles(head, dir));
  const proof = proveRevocationOnly(mainFiles, branchFiles, { dir, now });
  if (!proof.proven) {
    return { status: "refused", reason: `not merged: ${proof.reason}`, branch };
  }
  if (settings.merge === "off") {
    return { status: "unmerged", reason: "proven revocation-only; emergency.merge is off", branch };
  }
  const lost = proof.diff.revocations;
  const message = [
    `Emergency deprovision: ${label} (${emergency.trigger})`,
    "",
    `Merge ${branch} at ${head}, proven revocation-only: ${proof.diff.peopleLosing} person(s) lose ` +
      `${lost} permission(s), nobody gains anything.`,
    "",
    ...trailers,
    `Revocation-Only: proven`,
    `Emergency-Merge: ${mergeMode(settings.merge)}`,
    "",
  ].join("\n");
  try {
    const mergeCommit = await repo.merge({
      branch,
      head,
      into: repo.baseBranch,
      message,
      expectedBase: base,
    });
    await repo.deleteBranch(branch, head);
    return { status: "merged", reason: `revoked ${lost} permission(s)`, branch, mergeCommit };
  } catch (error) {
    if (error instanceof HeadMovedError) await repo.deleteBranch(branch, head).catch(() => undefined);
    throw error;
  }
}

/** What `validate` reads too: the editor schemas and READMEs next to the policy are not part of it. */
function policyFilesOnly(files: Map<string, string>): Map<string, string> {
  return new Map([...files].filter(([path]) => /\.ya?ml$/.test(path)));
}

/** Embedded mode has no CI to wait for, so `auto` merges as `direct` does once proven. */
function mergeMode(merge: EmergencyMerge): string {
  return merge === "auto" ? "auto (no required checks in embedded mode: merged directly)" : merge;
}

async function freshBranchName(repo: PolicyRepo, wanted: string): Promise<string> {
  if ((await repo.head(wanted)) === undefined) return wanted;
  for (let counter = 2; ; counter++) {
    const candidate = `${wanted}-${counter}`;
    if ((await repo.head(candidate)) === undefined) return candidate;
  }
}

/** `20261129T021500Z`: sorts by time and is safe in a ref name. */
function utcStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "");
}
