import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  formatOption,
  parseFormat,
  type Command,
  type CommandContext,
  type OutputFormat,
} from "../command.js";
import { EXIT_ERROR, EXIT_OK, ReportedFailure, UsageError } from "../errors.js";
import { openPlanSession, readSessionOptions, refuseInvalidPolicy, sessionOptions } from "../plan-session.js";
import { applyPolicy } from "../../engine/apply-policy.js";
import type { EngineOutcome } from "../../engine/engine-outcome.js";
import type { Plan } from "../../plan/plan.js";
import { renderApplySummary, isSuccess, summariseApply } from "../../plan/render-apply.js";
import { renderPlan } from "../../plan/render-plan.js";
import { StalePlanError, parsePlanFile } from "../../plan/saved-plan.js";

export const applyCommand: Command = {
  name: "apply",
  summary: "Apply the policy to Pulsar and NATS (revocations first), or a saved plan",
  help: `Usage: scim-gitops apply [--policies DIR] [--target pulsar|nats]... [--plan plan.json]
                         [--allow-mass-revocation] [--dry-run] [--format text|markdown|json]

Plans as \`scim-gitops plan\` does, then applies the changes: revocations first, then updates, then
grants. A second apply makes no write. It keeps going past a failed change, reports every result, and
exits 1 if anything failed.

Options:
  --policies DIR            the policy directory (default: policies)
  --target NAME             apply only this target (repeatable; default: every configured target)
  --plan FILE               apply this saved plan (from plan --out); refused when the policy or the
                            actual state changed since it was made
  --allow-mass-revocation   let more principals lose access than guards.maxRevocations allows
  --dry-run                 print the plan and write nothing
  --format FORMAT           text (default), markdown or json

Guards: a plan that takes access from a protected principal is always refused; one where more
principals lose access than settings.yaml guards allow is refused unless --allow-mass-revocation.

Environment: as for plan (PULSAR_ADMIN_URL, PULSAR_TOKEN or PULSAR_TOKEN_FILE, NATS_URL, …).

Exit codes: 0 every change applied, 1 error, refusal or any failed change.
`,
  options: {
    ...formatOption,
    ...sessionOptions,
    plan: { type: "string" },
    "allow-mass-revocation": { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
  },
  async run({ values }, context) {
    const format = parseFormat(values.format);
    const planFile = values.plan as string | undefined;
    const session = await openPlanSession(context, readSessionOptions(values));
    try {
      const savedPlan = planFile === undefined ? undefined : await readSavedPlan(planFile, context.cwd);
      const outcome = await applyPolicy(session.input, {
        allowMassRevocation: values["allow-mass-revocation"] === true,
        dryRun: values["dry-run"] === true,
        ...(savedPlan === undefined ? {} : { savedPlan }),
        beforeApply: (plan) => {
          if (format !== "json") context.stdout.write(renderPlan({ plan, guards: [] }, format) + "\n");
        },
      });
      return report(outcome, { format, planFile: planFile ?? "plan.json" }, context);
    } finally {
      await session.close();
    }
  },
};

/** Renders an outcome and says what it means as an exit code (refusals and failures are exit 1). */
function report(
  outcome: EngineOutcome,
  options: { format: OutputFormat; planFile: string },
  context: CommandContext,
): number {
  const { format } = options;
  switch (outcome.kind) {
    case "policy-invalid":
      return refuseInvalidPolicy(context);
    case "refused":
      context.stdout.write(renderPlan({ plan: outcome.plan, guards: outcome.refusals }, format));
      for (const refusal of outcome.refusals) context.stderr.write(`Refused: ${refusal.message}\n`);
      context.stderr.write("Nothing was applied.\n");
      throw new ReportedFailure("guard refused the plan");
    case "stale": {
      const file = options.planFile;
      throw new StalePlanError(
        `the saved plan ${file} is stale and was not applied: ${outcome.reasons.join("; ")}. Make a new plan (scim-gitops plan --out ${file}), review it, and apply that`,
      );
    }
    case "planned":
      context.stdout.write(renderPlan({ plan: outcome.plan, guards: [] }, format));
      context.stderr.write("Dry run: nothing was written.\n");
      return EXIT_OK;
    case "applied":
      context.stdout.write(renderApplySummary(outcome.results, format));
      return isSuccess(summariseApply(outcome.results)) ? EXIT_OK : EXIT_ERROR;
  }
}

async function readSavedPlan(file: string, cwd: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the plan ${file}: make one with scim-gitops plan --out ${file}`, {
      cause: error,
    });
  }
  return parsePlanFile(text, file);
}
