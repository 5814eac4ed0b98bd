import { access, mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Command } from "../command.js";
import { EXIT_OK, UsageError } from "../errors.js";
import { DEFAULT_ACTION_REF, scaffoldPolicyRepo } from "../scaffold-policy-repo.js";

export const initCommand: Command = {
  name: "init",
  summary: "Scaffold a policy repository: example policy, schemas, editor hints, workflows",
  help: `Usage: scim-gitops init [DIR] [--policies NAME] [--action REF] [--force]

Writes a working policy repository layout into DIR (default: the current directory):
  NAME/                        the example policy (settings, access, identities) and its JSON Schemas
  .vscode/settings.json        maps each kind of policy file to its schema for the YAML extension
  .github/workflows/policy-plan.yml    pull requests: validation annotations, access diff, sticky comment
  .github/workflows/policy-apply.yml   push to main: plan from the merge commit, apply that plan
  .github/workflows/policy-drift.yml   schedule: plan --detailed-exitcode, one issue while drifted
  .github/workflows/policy-expire.yml  daily: one pull request removing bindings past their expires date
Existing files are left alone and the command stops unless --force is given.

Options:
  --policies NAME   the policy directory's name (default: policies)
  --action REF      the action the workflows use (default: ${DEFAULT_ACTION_REF}; pin a tag or sha)
  --force           overwrite files that already exist

Exit codes: 0 written, 1 a file exists (without --force) or cannot be written.
`,
  options: {
    policies: { type: "string" },
    action: { type: "string" },
    force: { type: "boolean", default: false },
  },
  allowPositionals: true,
  async run({ values, positionals }, context) {
    if (positionals.length > 1) throw new UsageError("name at most one directory: scim-gitops init [DIR]");
    const root = resolve(context.cwd, positionals[0] ?? ".");
    const policyDir = (values.policies as string | undefined) ?? "policies";
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(policyDir) || policyDir.split("/").includes("..")) {
      throw new UsageError(
        `--policies ${policyDir} must be a relative path inside the repository, e.g. policies`,
      );
    }
    const actionRef = (values.action as string | undefined) ?? DEFAULT_ACTION_REF;
    if (!/^[^\s@]+@[^\s@]+$/.test(actionRef)) {
      throw new UsageError(`--action ${actionRef} must be OWNER/REPO@REF, e.g. ${DEFAULT_ACTION_REF}`);
    }
    const files = await scaffoldPolicyRepo({ policyDir, actionRef });
    if (values.force !== true) {
      const existing: string[] = [];
      for (const path of files.keys()) if (await exists(join(root, path))) existing.push(path);
      if (existing.length > 0) {
        throw new UsageError(
          `${root} already has ${existing.slice(0, 5).join(", ")}${existing.length > 5 ? ` and ${existing.length - 5} more` : ""}: nothing was written. Use an empty directory, or --force to overwrite`,
        );
      }
    }
    for (const [path, content] of files) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
    context.stdout.write(
      `Wrote ${files.size} files to ${root}.\nNext: commit them, push to GitHub, create a \`production\` environment limited to main with the apply secrets, and run scim-gitops validate --policies ${policyDir}.\n`,
    );
    return EXIT_OK;
  },
};

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
