import { formatOption, parseFormat, type Command } from "../command.js";
import { EXIT_ERROR, EXIT_OK, UsageError } from "../errors.js";
import { loadPolicyDir } from "../load-policy-dir.js";
import { hasErrors } from "../../policy/load/load.js";
import { renderValidation } from "../../policy/render/render-validation.js";

export const validateCommand: Command = {
  name: "validate",
  summary: "Check a policy directory: syntax, schema, references, scope, overlaps, expiry",
  help: `Usage: scim-gitops validate [--policies DIR] [--format text|markdown|json]

Checks every file of a policy directory (policy format v1) and prints each problem as
file:line:col: severity: what is wrong; what to do. Errors: YAML syntax, unknown keys, wrong types,
missing fields, bindings to roles that do not exist, duplicate roles or identities, invalid Pulsar
names and actions, invalid NATS subjects, grants outside the managed scope, a binding to a protected
principal. Warnings: bindings to groups or users the IdP has not pushed yet, expired bindings,
overlapping grants. No cluster is contacted.

Options:
  --policies DIR    the policy directory (default: policies)
  --format FORMAT   text (default), markdown (for PR comments) or json (for tools)

Exit codes: 0 no errors (warnings allowed), 1 errors found or the directory cannot be read.
`,
  options: { ...formatOption, policies: { type: "string" } },
  async run({ values }, context) {
    const format = parseFormat(values.format);
    const { diagnostics, display, files } = await loadPolicyDir(
      context,
      values.policies as string | undefined,
      context.now(),
    );
    if (files.size === 0) {
      throw new UsageError(`${display} holds no .yaml files: pass the policy directory with --policies DIR`);
    }
    context.stdout.write(renderValidation(diagnostics, files.size, format));
    return hasErrors(diagnostics) ? EXIT_ERROR : EXIT_OK;
  },
};
