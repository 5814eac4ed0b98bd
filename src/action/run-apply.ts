import { appendStepSummary } from "./action-io.js";
import type { ActionRun } from "./action-run.js";
import { EXIT_OK } from "../cli/errors.js";

/**
 * Apply on push to main: plan from the checked-out merge commit into a file, then apply exactly that plan
 * (apply refuses it if the policy or the clusters moved in between). A failed or partial apply fails the step.
 */
export async function runApply(run: ActionRun): Promise<number> {
  const { environment } = run;
  const dir = ["--policies", environment.policyDir];
  const plan = await run.cli(["plan", ...dir, "--out", environment.planFile, "--format", "markdown"]);
  await appendStepSummary(environment, `## scim-gitops: apply of ${environment.sha.slice(0, 12)}\n`);
  if (plan.code !== EXIT_OK) {
    await appendStepSummary(
      environment,
      `${plan.stdout}\n${fenced("Plan failed: nothing was applied", plan.stderr)}`,
    );
    return plan.code;
  }
  // apply prints the saved plan it applies before its summary, so the plan's own output is not repeated.
  const apply = await run.cli(["apply", ...dir, "--plan", environment.planFile, "--format", "markdown"]);
  await appendStepSummary(environment, apply.stdout);
  if (apply.code !== EXIT_OK) await appendStepSummary(environment, fenced("Apply failed", apply.stderr));
  return apply.code;
}

function fenced(title: string, text: string): string {
  return [`### ${title}`, "", "```", text.trimEnd(), "```", ""].join("\n");
}
