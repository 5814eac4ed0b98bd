import type { DatedBinding } from "../policy/expiry/plan-expiry-edit.js";
import type { ExpiryProof } from "../policy/expiry/prove-expiry-removal.js";
import { renderAccessDiff } from "../policy/render/render-access-diff.js";
import type { MassRevocation } from "../proposals/mass-revocation-guard.js";
import { EXPIRE_BRANCH } from "./expiry-branch.js";
import { GITHUB_BODY_LIMIT, truncateMarkdown } from "./truncate-markdown.js";

/** The expiry PR's body starts with this, so a person can tell the bot's PR from theirs at a glance. */
export const EXPIRE_MARKER = "<!-- scim-gitops:expire -->";

/** How the proposal is to be merged, and why. */
export type ExpiryRoute = { readonly kind: "emergency" } | { readonly kind: "review"; readonly why: string };

export interface ExpiryProposal {
  readonly expired: readonly DatedBinding[];
  readonly today: string;
  /** `expire --write --format markdown`: the table of what is removed. */
  readonly removal: string;
  readonly proof: Exclude<ExpiryProof, { verdict: "refused" }>;
  readonly route: ExpiryRoute;
  readonly runUrl: string;
}

/** Why a proven removal still waits for a person; undefined when it takes the emergency path. */
export function reviewReason(
  proof: Exclude<ExpiryProof, { verdict: "refused" }>,
  mass: MassRevocation | undefined,
): string | undefined {
  if (proof.verdict === "needs-review") return proof.reason;
  if (mass !== undefined) return mass.reason;
  if (!proof.settings.emergency.expiry) {
    return "settings `emergency.expiry` is not true, so expiry removals wait for review like any change";
  }
  return undefined;
}

export function renderExpiryTitle(expired: readonly DatedBinding[]): string {
  const only = expired.length === 1 ? expired[0] : undefined;
  return only === undefined
    ? `Remove ${expired.length} expired bindings`
    : `Remove the expired binding of ${only.subject.kind} ${only.subject.name}`;
}

/** Subject, body and trailers; the same text for the same removal, so an unchanged branch is not rebuilt. */
export function renderExpiryCommitMessage(proposal: Omit<ExpiryProposal, "removal" | "runUrl">): string {
  const lines = proposal.expired.map(
    (binding) =>
      `- ${binding.subject.kind} ${binding.subject.name} → ${binding.roles.join(", ")} (${binding.at.file}:${binding.at.line}, last day ${binding.expires})`,
  );
  return [
    renderExpiryTitle(proposal.expired),
    "",
    "Their last day has passed (UTC), so they already grant nothing in the policy; the clusters lose what they gave on the next apply.",
    "",
    ...lines,
    "",
    `Expired-Bindings: ${proposal.expired.length}`,
    `Revocation-Only: ${proposal.proof.verdict === "revocation-only" ? "proven" : "no"}`,
    `Expiry-Route: ${proposal.route.kind}`,
    "",
  ].join("\n");
}

export function renderExpiryBody(proposal: ExpiryProposal): string {
  const { proof, route } = proposal;
  const verdict =
    proof.verdict === "revocation-only"
      ? `✅ ${capitalise(proof.reason)}.`
      : `⚠️ ${capitalise(proof.reason)}.`;
  const routeText =
    route.kind === "emergency"
      ? "**Emergency path.** Labelled `emergency-deprovision` (settings `emergency.expiry: true`): once the scim-gitops App's `revocation-guard` passes at its head, the App merges it without review, as `emergency.merge` says. Its `revocation-guard` says so, or why it waits for a person instead."
      : `**Waits for review.** ${capitalise(route.why)}.`;
  const body = [
    EXPIRE_MARKER,
    `## Expired bindings removed (as of ${proposal.today}, UTC)`,
    "",
    proposal.removal.trimEnd(),
    "",
    "### Proof",
    "",
    verdict,
    "",
    routeText,
    "",
    renderAccessDiff(proof.diff, "markdown", { maxChars: 40_000 }).trimEnd(),
    "",
    "---",
    `_Opened by the scheduled \`policy-expire\` workflow ([run](${proposal.runUrl})). Each run rebuilds \`${EXPIRE_BRANCH}\` from the default branch, so a commit pushed here is replaced: to keep a binding, extend its \`expires\` on main instead._`,
    "",
  ].join("\n");
  return truncateMarkdown(
    body,
    GITHUB_BODY_LIMIT - 1,
    `The full report is in the [run's step summary](${proposal.runUrl}).`,
  );
}

export function renderNothingExpiredComment(today: string, sha: string, runUrl: string): string {
  return `As of ${today} (UTC) no binding on \`${sha.slice(0, 12)}\` has passed its \`expires\` date any more ([run](${runUrl})): the removal is no longer needed. Closing.`;
}

function capitalise(text: string): string {
  return text.length === 0 ? text : `${text[0]?.toUpperCase() ?? ""}${text.slice(1)}`;
}
