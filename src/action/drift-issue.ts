import { GITHUB_BODY_LIMIT, truncateMarkdown } from "./truncate-markdown.js";

/** The one open drift issue carries this label and this marker in its body. */
export const DRIFT_LABEL = "scim-gitops-drift";
export const DRIFT_MARKER = "<!-- scim-gitops:drift -->";
export const DRIFT_TITLE = "scim-gitops: the clusters differ from main";

export interface DriftReport {
  /** `plan --format markdown` against the clusters. */
  readonly plan: string;
  readonly sha: string;
  readonly runUrl: string;
  readonly checkedAt: Date;
}

export function renderDriftIssueBody(report: DriftReport): string {
  const body = [
    DRIFT_MARKER,
    `The drift check of ${report.checkedAt.toISOString()} found that the clusters differ from the policy at \`${report.sha.slice(0, 12)}\` on main ([run](${report.runUrl})).`,
    "",
    "Someone changed access outside the policy, or an apply did not finish. Either apply main again (re-run the apply workflow) to put the clusters back, or, if the change was meant, make it in the policy by pull request. This issue is updated by each drift check and closed when the clusters match again.",
    "",
    report.plan.trimEnd(),
    "",
  ].join("\n");
  return truncateMarkdown(
    body,
    GITHUB_BODY_LIMIT - 1,
    `The full plan is in the [step summary](${report.runUrl}).`,
  );
}

export function renderDriftResolvedComment(sha: string, runUrl: string, checkedAt: Date): string {
  return `The drift check of ${checkedAt.toISOString()} found the clusters matching the policy at \`${sha.slice(0, 12)}\` ([run](${runUrl})). Closing.`;
}
