import { appendStepSummary, readPullRequest, setOutput } from "./action-io.js";
import { issuesClient, type ActionRun } from "./action-run.js";
import { PR_PLAN_MARKER, renderPrPlanComment, renderPrPlanReport } from "./pr-plan-comment.js";
import { annotationsFromValidation } from "./validation-annotations.js";
import { escapeCommandData, formatAnnotation } from "./workflow-commands.js";
import { GitHubRestError } from "./github-rest.js";
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from "../cli/errors.js";
import { renderExpiringSoon } from "../policy/render/render-expiry.js";
import { expiryFromJson } from "./expiry-report.js";

/**
 * The pull-request check: validate (annotations at file:line:col), the offline access diff between the
 * PR's base and head, and a plan when the job holds read-only target credentials; one sticky comment.
 */
export async function runPrPlan(run: ActionRun): Promise<number> {
  const { environment } = run;
  const pr = await readPullRequest(environment);
  const dir = ["--policies", environment.policyDir];

  const validationJson = await run.cli(["validate", ...dir, "--format", "json"]);
  const annotations =
    validationJson.stdout.trim() === "" ? [] : annotationsFromValidation(validationJson.stdout);
  for (const annotation of annotations) run.log(`${formatAnnotation(annotation)}\n`);
  const validation = await run.cli(["validate", ...dir, "--format", "markdown"]);

  const diff = await run.cli(["diff", pr.baseSha, pr.headSha, ...dir, "--format", "markdown"]);
  const accessDiff =
    diff.code === EXIT_OK ? diff.stdout : failedStep("Access diff", diff.stdout, diff.stderr);

  const expiringSoon = await expiringSoonTable(run, dir);

  let plan: string | undefined;
  if (run.config.pulsar() !== undefined || run.config.nats() !== undefined) {
    const planned = await run.cli(["plan", ...dir, "--format", "markdown"]);
    plan = planned.code === EXIT_OK ? planned.stdout : failedStep("Plan", planned.stdout, planned.stderr);
  }

  const report = {
    validation: validation.stdout || validation.stderr,
    accessDiff,
    expiringSoon,
    plan,
    headSha: pr.headSha,
  };
  await appendStepSummary(environment, renderPrPlanReport(report));
  const issues = issuesClient(run, "post the sticky comment on the pull request");
  if (issues !== undefined) {
    // A fork's pull request gets a read-only token: the check still stands on its annotations and summary.
    try {
      const id = await issues.upsertComment(
        pr.number,
        PR_PLAN_MARKER,
        renderPrPlanComment(report, environment.runUrl),
      );
      await setOutput(environment, "comment-id", String(id));
    } catch (error) {
      if (!(error instanceof GitHubRestError)) throw error;
      run.log(`::warning::${escapeCommandData(`${error.message}; the report is in the step summary`)}\n`);
    }
  }
  const failed = validationJson.code !== EXIT_OK || diff.code !== EXIT_OK;
  await setOutput(environment, "valid", String(validationJson.code === EXIT_OK));
  return failed ? EXIT_ERROR : EXIT_OK;
}

/**
 * Bindings of the PR's head whose last day falls within the window (settings `expiry.warnWithinDays`, or
 * the action's `expiry-warn-days`). The check does not fail on them: it is a reminder, so a policy that
 * `expire` cannot read only loses the table, with a note in the log.
 */
async function expiringSoonTable(run: ActionRun, dir: readonly string[]): Promise<string> {
  const days = run.environment.expiryWarnDays;
  const listed = await run.cli([
    "expire",
    ...dir,
    "--now",
    run.now().toISOString(),
    ...(days === undefined ? [] : ["--warn-days", String(days)]),
    "--format",
    "json",
  ]);
  if (listed.code !== EXIT_OK && listed.code !== EXIT_CHANGES) {
    run.log("::warning::expire could not read the policy, so the comment has no expiring-soon table\n");
    return "";
  }
  const report = expiryFromJson(listed.stdout);
  return renderExpiringSoon(report.expiringSoon, report.warnWithinDays);
}

function failedStep(title: string, stdout: string, stderr: string): string {
  return [`### ${title}: failed`, "", "```", `${stdout}${stderr}`.trimEnd(), "```", ""].join("\n");
}
