import { resolve } from "node:path";
import { formatOption, parseFormat, type Command, type CommandContext } from "../command.js";
import { EXIT_ERROR, EXIT_OK, UsageError } from "../errors.js";
import { readPolicyRevision } from "../read-policy-revision.js";
import { policyTargetsFor } from "../context-targets.js";
import { formatDiagnostic, hasErrors, loadPolicy } from "../../policy/load/load.js";
import { compilePolicy } from "../../policy/compile/compile.js";
import { diffAccess } from "../../policy/diff/access-diff.js";
import { renderAccessDiff } from "../../policy/render/render-access-diff.js";
import type { EffectiveAccess } from "../../policy/model/effective-access.js";

export const diffCommand: Command = {
  name: "diff",
  summary: "Show who gains and loses what between two git revisions of the policy",
  help: `Usage: scim-gitops diff <base-rev> <head-rev> [--policies DIR] [--repo PATH]
                        [--format text|markdown|json] [--json]

Compiles the policy at both revisions of a git repository and prints, per person, the access gained and
lost on each target with the binding and role that cause it, and whether the change is revocation-only.
No cluster is contacted; this is what pull-request checks show.

Options:
  --policies DIR    the policy directory inside the repository (default: policies)
  --repo PATH       the git repository (default: the current directory)
  --format FORMAT   text (default), markdown (for a PR body; kept under 60,000 characters) or json
  --json            the same as --format json

Exit codes: 0 ok, 1 a revision cannot be read or the head revision's policy has errors.
`,
  options: {
    ...formatOption,
    policies: { type: "string" },
    repo: { type: "string" },
    json: { type: "boolean", default: false },
  },
  allowPositionals: true,
  async run({ values, positionals }, context) {
    const format = values.json === true ? "json" : parseFormat(values.format);
    const [base, head, ...extra] = positionals;
    if (base === undefined || head === undefined || extra.length > 0) {
      throw new UsageError("name two revisions: scim-gitops diff <base-rev> <head-rev>, e.g. diff main HEAD");
    }
    const repo = resolve(context.cwd, (values.repo as string | undefined) ?? ".");
    const dir = (values.policies as string | undefined) ?? "policies";
    const now = context.now();
    const before = await compileRevision(context, repo, base, dir, now);
    const after = await compileRevision(context, repo, head, dir, now);
    const diff = diffAccess(before.access, after.access, policyTargetsFor(context));
    context.stdout.write(renderAccessDiff(diff, format));
    return after.errors ? EXIT_ERROR : EXIT_OK;
  },
};

const NOTHING: EffectiveAccess = { people: new Map(), targets: new Map() };

/** A revision without the policy directory grants nothing, so a repository's first policy diffs as all gains. */
async function compileRevision(
  context: CommandContext,
  repo: string,
  rev: string,
  dir: string,
  now: Date,
): Promise<{ access: EffectiveAccess; errors: boolean }> {
  const files = await readPolicyRevision(repo, rev, dir);
  if (files.size === 0) {
    context.stderr.write(`note: ${rev} has no ${dir}/ directory: it counts as granting nothing\n`);
    return { access: NOTHING, errors: false };
  }
  const { policy, diagnostics } = loadPolicy(files, { dir, now, targets: policyTargetsFor(context) });
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "error");
  for (const diagnostic of errors) context.stderr.write(`${rev}: ${formatDiagnostic(diagnostic)}\n`);
  if (hasErrors(diagnostics)) {
    context.stderr.write(`note: the policy at ${rev} has errors; the diff covers what could be loaded\n`);
  }
  return { access: compilePolicy(policy, now), errors: hasErrors(diagnostics) };
}
