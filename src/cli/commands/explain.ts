import { formatOption, parseFormat, type Command } from "../command.js";
import { EXIT_ERROR, EXIT_OK, UsageError } from "../errors.js";
import { loadPolicyDir } from "../load-policy-dir.js";
import { policyTargetsFor } from "../context-targets.js";
import { formatDiagnostic } from "../../policy/load/load.js";
import { compilePolicy } from "../../policy/compile/compile.js";
import { explainPerson } from "../../policy/explain/explain.js";
import { renderExplanation } from "../../policy/render/render-explain.js";
import type { Policy } from "../../policy/model/model.js";

export const explainCommand: Command = {
  name: "explain",
  summary: "Show a person's effective access on Pulsar and NATS, and why",
  help: `Usage: scim-gitops explain <userName> [--policies DIR] [--format text|markdown|json] [--json]

Prints what the policy grants one person on each target, and under each grant the binding, role and
file:line that cause it; says when the person is inactive or deleted (and so holds nothing). The userName
is matched case-insensitively, and a former userName finds the person too. No cluster is contacted.

Options:
  --policies DIR    the policy directory (default: policies)
  --format FORMAT   text (default), markdown or json
  --json            the same as --format json

Exit codes: 0 ok, 1 the person is unknown or the policy cannot be read.
`,
  options: { ...formatOption, policies: { type: "string" }, json: { type: "boolean", default: false } },
  allowPositionals: true,
  async run({ values, positionals }, context) {
    const format = values.json === true ? "json" : parseFormat(values.format);
    const [userName, ...extra] = positionals;
    if (userName === undefined || extra.length > 0) {
      throw new UsageError("name exactly one person: scim-gitops explain <userName> [--policies DIR]");
    }
    const now = context.now();
    const { policy, diagnostics, display } = await loadPolicyDir(
      context,
      values.policies as string | undefined,
      now,
    );
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "error");
    for (const diagnostic of errors) context.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    if (errors.length > 0) {
      context.stderr.write(
        `note: the policy has ${errors.length} error(s) (see scim-gitops validate); this explains what could be loaded\n`,
      );
    }
    const explanation = explainPerson(policy, compilePolicy(policy, now), userName, now);
    if (explanation === undefined) {
      context.stderr.write(unknownPerson(userName, display, policy));
      return EXIT_ERROR;
    }
    context.stdout.write(renderExplanation(explanation, format, policyTargetsFor(context)));
    return EXIT_OK;
  },
};

function unknownPerson(userName: string, display: string, policy: Policy): string {
  const wanted = userName.toLowerCase();
  const stem = wanted.split("@")[0] ?? wanted;
  const close = policy.users
    .map((user) => user.userName)
    .filter((name) => stem.length > 0 && name.toLowerCase().includes(stem))
    .sort()
    .slice(0, 5);
  const lines = [
    `scim-gitops explain: no user "${userName}" in ${display}/identities/users.`,
    close.length > 0
      ? `Did you mean: ${close.join(", ")}?`
      : "Check the spelling (it is the SCIM userName, matched case-insensitively), or whether the IdP has pushed this person yet.",
  ];
  return `${lines.join("\n")}\n`;
}
