import { EXPIRE_BRANCH } from "../../action/expiry-branch.js";
import type { DatedBinding } from "../../policy/expiry/plan-expiry-edit.js";
import { planExpiryEdit } from "../../policy/expiry/plan-expiry-edit.js";
import { proveLoadedExpiryRemoval } from "../../policy/expiry/prove-expiry-removal.js";
import { utcDay } from "../../policy/expiry/utc-day.js";
import type { LoadResult } from "../../policy/load/load.js";
import type { PolicyFiles } from "../../policy/model/model.js";
import type { PolicyRepo } from "../../repos/policy-repo.js";
import { HeadMovedError } from "../../repos/policy-repo.js";
import type { PullRequest, PullRequestHost } from "../../repos/pull-request-host.js";
import { POLICY_TARGETS } from "../../targets/registry.js";
import { findMassRevocation } from "../mass-revocation-guard.js";
import { EMERGENCY_LABEL } from "./github-emergency-host.js";
import type { ProvenPullRequest } from "./merge-pinned-pull-request.js";
import { mergePinnedPullRequest } from "./merge-pinned-pull-request.js";

/** One revision's policy files (relative to the policy directory) and what they load to. */
export interface LoadedRevision {
  readonly files: PolicyFiles;
  readonly loaded: LoadResult;
}

export interface ExpiryCandidate {
  readonly repo: PolicyRepo;
  readonly pull: PullRequest;
  /** The base branch's head the PR was judged against. */
  readonly base: string;
  readonly before: LoadedRevision;
  readonly after: LoadedRevision;
  /** The policy directory, without slashes at either end ("" for the repository root). */
  readonly dir: string;
  readonly now: Date;
}

/** Whether the App merges the expiry PR, and if not, why (shown on its `revocation-guard` check). */
export type ExpiryVerdict =
  | {
      readonly merge: true;
      readonly proven: ProvenPullRequest;
      readonly mode: "direct" | "auto";
      readonly removed: number;
    }
  | { readonly merge: false; readonly reason: string };

export type ExpiryMergeOutcome =
  | { readonly outcome: "merged"; readonly commit: string }
  | { readonly outcome: "waiting"; readonly reason: string }
  | { readonly outcome: "not-merged"; readonly reason: string };

/** Merge commit messages list at most this many removed bindings. */
const LISTED_BINDINGS = 50;

/** The scheduled workflow's PR (`policy-expire`, issue 8): its branch and the emergency label. */
export function isExpiryProposal(pull: PullRequest): boolean {
  return pull.head.branch === EXPIRE_BRANCH && pull.labels.includes(EMERGENCY_LABEL);
}

/**
 * Decides whether the App may merge an expiry PR without review, once its `revocation-guard` passed
 * (DESIGN §5; issue 8: bindings past their `expires:` are removed by a revocation-only PR that takes the
 * emergency path when settings say so). Everything is read at the base branch's current head:
 * - settings `emergency.expiry: true`, and `emergency.merge` not `off`;
 * - the head is one commit on that very head, and holds exactly the removal `expire --write` makes of it
 *   today, anywhere in the repository: the App's identity may bypass review, so an expiry PR that also
 *   edits a workflow, a role or a live binding goes to a person instead;
 * - the removal's own proof (nothing anyone holds today changes; against the bindings still holding,
 *   nothing is granted) and the mass-revocation guard on what the clusters lose, as `plan` applies it.
 */
export async function judgeExpiryProposal(candidate: ExpiryCandidate): Promise<ExpiryVerdict> {
  const { repo, pull, base, before, after, dir, now } = candidate;
  const refuse = (reason: string): ExpiryVerdict => ({ merge: false, reason });
  if (pull.state !== "open") return refuse("it is closed");
  if (pull.base.branch !== repo.baseBranch) {
    return refuse(`it targets ${pull.base.branch}, not ${repo.baseBranch}`);
  }
  const baseErrors = before.loaded.diagnostics.filter((diagnostic) => diagnostic.severity === "error");
  if (baseErrors.length > 0) {
    return refuse(
      `the policy on ${repo.baseBranch} does not load (${baseErrors.length} error(s)): fix it first`,
    );
  }
  const { settings } = before.loaded.policy;
  if (!settings.emergency.expiry) {
    return refuse(
      `settings \`emergency.expiry\` on ${repo.baseBranch} is not true, so expiry removals wait for review like any change`,
    );
  }
  if (settings.emergency.merge === "off") {
    return refuse(
      `settings \`emergency.merge\` on ${repo.baseBranch} is off: the App merges no emergency change`,
    );
  }
  const { parents } = await repo.readCommit(pull.head.sha);
  if (parents.length !== 1 || parents[0] !== base) {
    return refuse(
      `it is not one commit on ${repo.baseBranch}'s head ${short(base)} (its parents: ${parents.map(short).join(", ") || "none"}); ` +
        `the next \`policy-expire\` run rebuilds it there`,
    );
  }
  const edit = planExpiryEdit(before.files, { dir, now, warnWithinDays: 0 });
  if (edit.expired.length === 0) {
    return refuse(`no binding on ${repo.baseBranch} is past its last day as of ${edit.today} (UTC)`);
  }
  const unlike = await differencesFromRemoval(repo, candidate, edit.changes);
  if (unlike.length > 0) {
    return refuse(
      `it is not exactly the removal of ${repo.baseBranch}'s expired bindings as of ${edit.today} (UTC): ` +
        `${unlike.join("; ")}; a person reviews what else it changes`,
    );
  }
  const proof = proveLoadedExpiryRemoval(before.loaded, after.loaded, edit.expired, {
    now,
    targets: POLICY_TARGETS,
  });
  if (proof.verdict !== "revocation-only") return refuse(proof.reason);
  const mass = findMassRevocation(proof.diff, proof.holders, settings.guards);
  if (mass !== undefined) return refuse(mass.reason);
  return {
    merge: true,
    mode: settings.emergency.merge,
    removed: edit.expired.length,
    proven: {
      number: pull.number,
      branch: pull.head.branch,
      head: pull.head.sha,
      base,
      title: `${pull.title} (#${pull.number})`,
      message: mergeMessage(edit.expired, base, pull.head.sha, now),
    },
  };
}

/**
 * Merges an expiry PR the verdict allows, as `emergency.merge` says (the emergency path's own merge, so 405
 * arms auto-merge). A 409 or main moving since the proof is read, not retried: a new head gets its own
 * check, and a moved main is what the next `policy-expire` run rebuilds the branch on.
 */
export async function mergeProvenExpiry(
  repo: PolicyRepo,
  pulls: PullRequestHost,
  verdict: Extract<ExpiryVerdict, { merge: true }>,
): Promise<ExpiryMergeOutcome> {
  try {
    const merged = await mergePinnedPullRequest(repo, pulls, verdict.proven, verdict.mode);
    return typeof merged === "string"
      ? { outcome: "merged", commit: merged }
      : { outcome: "waiting", reason: merged.waiting };
  } catch (error) {
    if (!(error instanceof HeadMovedError)) throw error;
    return {
      outcome: "not-merged",
      reason: `${error.branch} moved since the proof (${short(error.expected ?? "")} → ${short(error.actual ?? "")}): not merged`,
    };
  }
}

/** What the guard's summary says about the App's part in an expiry PR. */
export function renderExpiryNote(verdict: ExpiryVerdict): string {
  if (verdict.merge) {
    return (
      `**Expiry proposal.** It removes exactly the ${verdict.removed} expired binding(s) and is proven revocation-only ` +
      `against them, and settings say \`emergency.expiry: true\`: the App merges it without review ` +
      `(\`emergency.merge: ${verdict.mode}\`), pinned to this head, once GitHub's required checks pass.`
    );
  }
  return `**Expiry proposal, not merged by the App:** ${verdict.reason}. A person reviews and merges it.`;
}

/** Paths where the head differs from "base + the removal", in a few words each. */
async function differencesFromRemoval(
  repo: PolicyRepo,
  candidate: ExpiryCandidate,
  removal: ReadonlyMap<string, string>,
): Promise<string[]> {
  const { base, pull, after, dir } = candidate;
  const prefix = dir === "" ? "" : `${dir}/`;
  const expected = new Map([...removal].map(([path, text]) => [`${prefix}${path}`, text]));
  const changed = await repo.changedPaths(base, pull.head.sha);
  const differences = [
    ...changed.filter((path) => !expected.has(path)).map((path) => `it also changes ${path}`),
    ...[...expected.keys()]
      .filter((path) => !changed.includes(path))
      .map((path) => `it leaves ${path} as it is`),
    ...[...expected]
      .filter(([path, text]) => changed.includes(path) && after.files.get(path.slice(prefix.length)) !== text)
      .map(([path]) => `its edit of ${path} is not the removal's`),
  ];
  return differences.length > 3
    ? [...differences.slice(0, 3), `${differences.length - 3} more`]
    : differences;
}

function mergeMessage(expired: readonly DatedBinding[], base: string, head: string, now: Date): string {
  const listed = expired
    .slice(0, LISTED_BINDINGS)
    .map(
      (binding) =>
        `- ${binding.subject.kind} ${binding.subject.name} → ${binding.roles.join(", ")} (last day ${binding.expires})`,
    );
  const more = expired.length > LISTED_BINDINGS ? [`- … and ${expired.length - LISTED_BINDINGS} more`] : [];
  return [
    `Merged by the scim-gitops App without review (settings emergency.expiry: true): the removal of ` +
      `${expired.length} binding(s) past their last day as of ${utcDay(now)} (UTC), proven revocation-only ` +
      `at ${short(head)} on ${short(base)}.`,
    "",
    ...listed,
    ...more,
    "",
    `Expired-Bindings: ${expired.length}`,
    "Revocation-Only: proven",
    "Emergency-Merge: direct",
    "",
  ].join("\n");
}

function short(sha: string): string {
  return sha === "" ? "(none)" : sha.slice(0, 12);
}
