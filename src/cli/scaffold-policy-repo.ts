import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLED_POLICIES } from "../repos/git/open-git-policy-repo.js";

/** The workflow files `init` writes; they call the action at the ref `init --action` names. */
export const SCAFFOLD_WORKFLOWS = fileURLToPath(new URL("../../scaffold/workflows", import.meta.url));

/** How a policy repository names this project's action unless `init --action` says otherwise. */
export const DEFAULT_ACTION_REF = "scim-gitops/scim-gitops@v0";
const TEMPLATE_ACTION_REF = "scim-gitops/scim-gitops@v0";

export interface ScaffoldOptions {
  /** The policy directory's name inside the new repository. */
  readonly policyDir: string;
  readonly actionRef: string;
}

/** Every file of a new policy repository, path (with `/`) → content: example policy, schemas, editor hints, workflows. */
export async function scaffoldPolicyRepo(options: ScaffoldOptions): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const path of await listFiles(BUNDLED_POLICIES)) {
    files.set(`${options.policyDir}/${path}`, await readFile(join(BUNDLED_POLICIES, path), "utf8"));
  }
  for (const name of await listFiles(SCAFFOLD_WORKFLOWS)) {
    const template = await readFile(join(SCAFFOLD_WORKFLOWS, name), "utf8");
    files.set(`.github/workflows/${name}`, wireWorkflow(template, options));
  }
  files.set(".vscode/settings.json", editorSettings(options.policyDir));
  return files;
}

function wireWorkflow(template: string, options: ScaffoldOptions): string {
  return template
    .replaceAll(TEMPLATE_ACTION_REF, options.actionRef)
    .replaceAll('"policies/**"', JSON.stringify(`${options.policyDir}/**`))
    .replaceAll("policy-dir: policies", `policy-dir: ${options.policyDir}`);
}

/**
 * The YAML extension (redhat.vscode-yaml) maps each kind of file to its schema. Access and settings files
 * also carry a `yaml-language-server` line; identity files do not, because the bot writes them byte for byte.
 */
function editorSettings(dir: string): string {
  const schemas = {
    [`./${dir}/access.schema.json`]: [`${dir}/access/*.yaml`],
    [`./${dir}/settings.schema.json`]: [`${dir}/settings.yaml`],
    [`./${dir}/user.schema.json`]: [`${dir}/identities/users/*.yaml`],
    [`./${dir}/group.schema.json`]: [`${dir}/identities/groups/*.yaml`],
  };
  return `${JSON.stringify({ "yaml.schemas": schemas }, null, 2)}\n`;
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}
