import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { formatOption, parseFormat, type Command, type CommandContext } from "../command.js";
import { EXIT_ERROR, EXIT_OK, UsageError } from "../errors.js";
import { loadPolicyDir } from "../load-policy-dir.js";
import { readPolicyRevision } from "../read-policy-revision.js";
import { formatDiagnostic, loadPolicy, type LoadResult } from "../../policy/load/load.js";
import { policyTargetsFor } from "../context-targets.js";
import { compilePolicy } from "../../policy/compile/compile.js";
import { explainPerson } from "../../policy/explain/explain.js";
import { renderExplanation } from "../../policy/render/render-explain.js";
import type { Policy } from "../../policy/model/model.js";

export const explainCommand: Command = {
  name: "explain",
  summary: "Show a person's effective access on Pulsar and NATS, and why",
  help: `Usage: scim-gitops explain <userName> [--policies DIR] [--repo PATH] [--rev REV]
                           [--format text|markdown|json] [--json]

Prints what the policy grants one person on each target, and under each grant the binding, role and
file:line that cause it; says when the person is inactive or deleted (and so holds nothing). The userName
is matched case-insensitively, and a former userName finds the person too. No cluster is contacted.

It reads the policy directory on disk, a checkout of the policy repository; with --rev or --repo it reads
the policy at a git revision instead, as diff does (the embedded bot's repository, say:
--repo .scim-gitops/policy-repo --rev main).

Options:
  --policies DIR    the policy directory, on disk or inside the repository (default: policies)
  --repo PATH       read the policy from this git repository (default: the current directory)
  --rev REV         the commit, branch or tag to read it at (default with --repo: HEAD)
  --format FORMAT   text (default), markdown or json
  --json            the same as --format json

Exit codes: 0 ok, 1 the person is unknown or the policy cannot be read.
`,
  options: {
    ...formatOption,
    policies: { type: "string" },
    repo: { type: "string" },
    rev: { type: "string" },
    json: { type: "boolean", default: false },
  },
  allowPositionals: true,
  async run({ values, positionals }, context) {
    const format = values.json === true ? "json" : parseFormat(values.format);
    const [userName, ...extra] = positionals;
    if (userName === undefined || extra.length > 0) {
      throw new UsageError("name exactly one person: scim-gitops explain <userName> [--policies DIR]");
    }
    const now = context.now();
    const { policy, diagnostics, source } = await loadExplainedPolicy(context, values, now);
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "error");
    for (const diagnostic of errors) context.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    if (errors.length > 0) {
      context.stderr.write(
        `note: the policy has ${errors.length} error(s) (see scim-gitops validate); this explains what could be loaded\n`,
      );
    }
    const explanation = explainPerson(policy, compilePolicy(policy, now), userName, now);
    if (explanation === undefined) {
      context.stderr.write(await unknownPerson(context, userName, source, policy));
      return EXIT_ERROR;
    }
    context.stdout.write(renderExplanation(explanation, format, policyTargetsFor(context)));
    return EXIT_OK;
  },
};

/** Where the policy was read from, for messages: a directory on disk, or a directory at a git revision. */
type PolicySource =
  | { readonly kind: "directory"; readonly dir: string }
  | { readonly kind: "revision"; readonly dir: string; readonly repo: string; readonly rev: string };

async function loadExplainedPolicy(
  context: CommandContext,
  values: Record<string, unknown>,
  now: Date,
): Promise<LoadResult & { source: PolicySource }> {
  const policies = values.policies as string | undefined;
  const repoOption = values.repo as string | undefined;
  const rev = values.rev as string | undefined;
  if (repoOption === undefined && rev === undefined) {
    const loaded = await loadPolicyDir(context, policies, now);
    return { ...loaded, source: { kind: "directory", dir: loaded.display } };
  }
  const source = {
    kind: "revision",
    dir: policies ?? "policies",
    repo: resolve(context.cwd, repoOption ?? "."),
    rev: rev ?? "HEAD",
  } as const;
  const files = await readPolicyRevision(source.repo, source.rev, source.dir);
  if (files.size === 0) {
    throw new UsageError(
      `${source.rev} of ${source.repo} has no ${source.dir}/ directory: pass --policies DIR, the policy directory inside that repository`,
    );
  }
  return { ...loadPolicy(files, { dir: source.dir, now, targets: policyTargetsFor(context) }), source };
}

/** The embedded bot's repository (serve's default --repo), which holds what the IdP pushed. */
const EMBEDDED_REPO = ".scim-gitops/policy-repo";

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function unknownPerson(
  context: CommandContext,
  userName: string,
  source: PolicySource,
  policy: Policy,
): Promise<string> {
  const wanted = userName.toLowerCase();
  const stem = wanted.split("@")[0] ?? wanted;
  const close = policy.users
    .map((user) => user.userName)
    .filter((name) => stem.length > 0 && name.toLowerCase().includes(stem))
    .sort()
    .slice(0, 5);
  const where =
    source.kind === "directory"
      ? `${source.dir}/identities/users`
      : `${source.dir}/identities/users at ${source.rev} of ${source.repo}`;
  const lines = [
    `scim-gitops explain: no user "${userName}" in ${where}.`,
    close.length > 0
      ? `Did you mean: ${close.join(", ")}?`
      : "Check the spelling (it is the SCIM userName, matched case-insensitively), or whether the IdP has pushed this person yet.",
  ];
  if (source.kind === "directory") {
    // Run in this project, the directory is the bundled example policy, not what the bot has committed.
    lines.push(
      `explain reads ${source.dir}/, the --policies DIR (default policies), which should be a checkout of the policy repository.`,
      (await isDirectory(join(context.cwd, EMBEDDED_REPO)))
        ? `To read the embedded bot's repository instead: scim-gitops explain ${userName} --repo ${EMBEDDED_REPO} --rev main (or --rev scim-gitops/sync for what it proposes).`
        : "To read a git repository instead, pass --repo PATH --rev REV.",
    );
  }
  return `${lines.join("\n")}\n`;
}
