import { GITHUB_BODY_LIMIT, truncateMarkdown } from "./truncate-markdown.js";

/** Finds our comment among a pull request's comments, so each run edits it instead of adding another. */
export const PR_PLAN_MARKER = "<!-- scim-gitops:pr-plan -->";

export interface PrPlanReport {
  /** `validate --format markdown`. */
  readonly validation: string;
  /** `diff BASE HEAD --format markdown`. */
  readonly accessDiff: string;
  /** The "Expiring soon" table (bindings whose last day is within the window); empty when there are none. */
  readonly expiringSoon: string;
  /** `plan --format markdown`, when the job had read-only target credentials. */
  readonly plan: string | undefined;
  readonly headSha: string;
}

/** The full report, as the step summary shows it. */
export function renderPrPlanReport(report: PrPlanReport): string {
  const plan =
    report.plan ??
    `${NO_PLAN_HEADING}\n\n_No read-only target credentials were given to this job, so there is no plan against the clusters: the access diff above is computed from the policy alone._\n`;
  return [
    `## scim-gitops: policy check for ${report.headSha.slice(0, 12)}`,
    "",
    report.validation.trimEnd(),
    "",
    report.accessDiff.trimEnd(),
    "",
    ...(report.expiringSoon.trim() === "" ? [] : [report.expiringSoon.trimEnd(), ""]),
    plan.trimEnd(),
    "",
  ].join("\n");
}

const NO_PLAN_HEADING = "### Plan against the clusters";

/** The sticky comment: the marker, then the report, cut to GitHub's limit with a pointer to the run. */
export function renderPrPlanComment(report: PrPlanReport, runUrl: string): string {
  const pointer = `The full report is in the [step summary of this run](${runUrl}).`;
  return truncateMarkdown(`${PR_PLAN_MARKER}\n${renderPrPlanReport(report)}`, GITHUB_BODY_LIMIT - 1, pointer);
}
