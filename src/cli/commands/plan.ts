import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { formatOption, parseFormat, type Command } from "../command.js";
import { EXIT_CHANGES, EXIT_OK } from "../errors.js";
import { openPlanSession, readSessionOptions, refuseInvalidPolicy, sessionOptions } from "../plan-session.js";
import { planPolicy } from "../../engine/plan-policy.js";
import { renderPlan } from "../../plan/render-plan.js";

export const planCommand: Command = {
  name: "plan",
  summary: "Show what apply would change on Pulsar and NATS, and why",
  help: `Usage: scim-gitops plan [--policies DIR] [--target pulsar|nats]... [--format text|markdown|json]
                        [--out plan.json] [--detailed-exitcode]

Reads the policy and the actual state of each managed target and prints the changes (grant, update,
revoke), each with its reason, plus what apply's guards would refuse.

Options:
  --policies DIR        the policy directory (default: policies)
  --target NAME         plan only this target (repeatable; default: every configured target; an
                        unconfigured one is skipped with a note, or is an error when named)
  --format FORMAT       text (default), markdown (for a PR comment) or json (the plan file's content)
  --out FILE            also save the plan as JSON, for apply --plan FILE
  --detailed-exitcode   exit 0 when there is nothing to change, 2 when there are changes, 1 on error

Environment:
  PULSAR_ADMIN_URL, PULSAR_TOKEN or PULSAR_TOKEN_FILE   the Pulsar admin API and a superuser token
  NATS_URL, NATS_CREDS or NATS_USER/NATS_PASSWORD       the NATS server and the KV bucket's credentials

Exit codes: 0 ok, 1 error (including policy validation errors), 2 changes pending (--detailed-exitcode).
`,
  options: {
    ...formatOption,
    ...sessionOptions,
    out: { type: "string" },
    "detailed-exitcode": { type: "boolean", default: false },
  },
  async run({ values }, context) {
    const format = parseFormat(values.format);
    const session = await openPlanSession(context, readSessionOptions(values));
    try {
      const outcome = await planPolicy(session.input);
      if (outcome.kind === "policy-invalid") refuseInvalidPolicy(context);
      const { plan, guards } = outcome;
      context.stdout.write(renderPlan({ plan, guards }, format));
      const out = values.out as string | undefined;
      if (out !== undefined) {
        await writeFile(resolve(context.cwd, out), renderPlan({ plan, guards }, "json"));
        context.stderr.write(`Saved the plan to ${out}: apply it with scim-gitops apply --plan ${out}\n`);
      }
      const changes = plan.targets.some((target) => target.changes.length > 0);
      return values["detailed-exitcode"] === true && changes ? EXIT_CHANGES : EXIT_OK;
    } finally {
      await session.close();
    }
  },
};
