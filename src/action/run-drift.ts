import { appendStepSummary, setOutput } from "./action-io.js";
import { issuesClient, type ActionRun } from "./action-run.js";
import {
  DRIFT_LABEL,
  DRIFT_MARKER,
  DRIFT_TITLE,
  renderDriftIssueBody,
  renderDriftResolvedComment,
} from "./drift-issue.js";
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from "../cli/errors.js";

/**
 * The scheduled drift check: `plan --detailed-exitcode` against the clusters. On drift, one issue holds
 * the plan (opened, or updated by later checks) and the step fails; once the clusters match, it is closed.
 */
export async function runDrift(run: ActionRun): Promise<number> {
  const { environment } = run;
  const plan = await run.cli([
    "plan",
    "--policies",
    environment.policyDir,
    "--format",
    "markdown",
    "--detailed-exitcode",
  ]);
  await appendStepSummary(environment, `## scim-gitops: drift check\n\n${plan.stdout}`);
  if (plan.code !== EXIT_OK && plan.code !== EXIT_CHANGES) {
    await appendStepSummary(environment, ["```", plan.stderr.trimEnd(), "```", ""].join("\n"));
    return EXIT_ERROR;
  }
  const drifted = plan.code === EXIT_CHANGES;
  await setOutput(environment, "drift", String(drifted));
  const issues = issuesClient(run, "open or close the drift issue");
  if (issues === undefined) return drifted ? EXIT_ERROR : EXIT_OK;
  const open = await issues.findOpenIssue(DRIFT_LABEL, DRIFT_MARKER);
  const checkedAt = run.now();
  if (drifted) {
    const body = renderDriftIssueBody({
      plan: plan.stdout,
      sha: environment.sha,
      runUrl: environment.runUrl,
      checkedAt,
    });
    const number =
      open === undefined ? await issues.createIssue(DRIFT_TITLE, body, DRIFT_LABEL) : open.number;
    if (open !== undefined) await issues.updateIssueBody(open.number, body);
    await setOutput(environment, "issue", String(number));
    run.log(`::error::the clusters differ from main: see issue #${number}\n`);
    return EXIT_ERROR;
  }
  if (open !== undefined) {
    await issues.closeIssue(
      open.number,
      renderDriftResolvedComment(environment.sha, environment.runUrl, checkedAt),
    );
  }
  return EXIT_OK;
}
