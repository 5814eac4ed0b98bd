import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { formatOption, parseFormat, type Command } from "../command.js";
import { EXIT_ERROR, EXIT_OK, ReportedFailure, UsageError } from "../errors.js";
import { openPlanSession, readSessionOptions, sessionOptions, type PlanSession } from "../plan-session.js";
import { findGuardViolations, refusingFindings } from "../../plan/guards.js";
import type { Plan, TargetApplyResult } from "../../plan/plan.js";
import { renderApplySummary, isSuccess, summariseApply } from "../../plan/render-apply.js";
import { renderPlan } from "../../plan/render-plan.js";
import { StalePlanError, findStaleness, parsePlanFile } from "../../plan/saved-plan.js";

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
    const session = await openPlanSession(context, readSessionOptions(values));
    try {
      const planFile = values.plan as string | undefined;
      const plan = planFile === undefined ? session.plan : await readSavedPlan(planFile, context.cwd);
      const refusals = refusingFindings(findGuardViolations(plan, session.settings), {
        allowMassRevocation: values["allow-mass-revocation"] === true,
      });
      if (refusals.length > 0) {
        context.stdout.write(renderPlan({ plan, guards: refusals }, format));
        for (const refusal of refusals) context.stderr.write(`Refused: ${refusal.message}\n`);
        context.stderr.write("Nothing was applied.\n");
        throw new ReportedFailure("guard refused the plan");
      }
      if (planFile !== undefined) refuseIfStale(plan, planFile, session);
      if (values["dry-run"] === true) {
        context.stdout.write(renderPlan({ plan, guards: [] }, format));
        context.stderr.write("Dry run: nothing was written.\n");
        return EXIT_OK;
      }
      if (format !== "json") context.stdout.write(renderPlan({ plan, guards: [] }, format) + "\n");
      const results = await applyAll(plan, session);
      context.stdout.write(renderApplySummary(results, format));
      return isSuccess(summariseApply(results)) ? EXIT_OK : EXIT_ERROR;
    } finally {
      await session.close();
    }
  },
};

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

function refuseIfStale(saved: Plan, file: string, session: PlanSession): void {
  const reasons = findStaleness(saved, session.plan);
  if (reasons.length > 0) {
    throw new StalePlanError(
      `the saved plan ${file} is stale and was not applied: ${reasons.join("; ")}. Make a new plan (scim-gitops plan --out ${file}), review it, and apply that`,
    );
  }
}

/** Each target in turn; one that throws outright has all its changes reported failed, and the rest go on. */
async function applyAll(plan: Plan, session: PlanSession): Promise<TargetApplyResult[]> {
  const results: TargetApplyResult[] = [];
  for (const targetPlan of plan.targets) {
    const open = session.targets.get(targetPlan.target);
    if (targetPlan.changes.length === 0 || open === undefined) {
      results.push({ target: targetPlan.target, results: [], evidence: [] });
      continue;
    }
    try {
      results.push(await open.target.apply(open.connection, targetPlan, session.settings));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.push({
        target: targetPlan.target,
        results: targetPlan.changes.map((change) => ({ change, ok: false, error: message })),
        evidence: [],
      });
    }
  }
  return results;
}
