import type { CommandContext } from "./command.js";
import { readPolicyFiles, type PolicyDirFiles } from "./read-policy-files.js";
import { policyTargetsFor } from "./context-targets.js";
import { loadPolicy, type LoadResult } from "../policy/load/load.js";

export interface LoadedPolicyDir extends LoadResult, PolicyDirFiles {}

/**
 * Reads the `--policies` directory and loads it. A directory that cannot be read is a usage error; what to
 * do with the diagnostics is the command's call.
 */
export async function loadPolicyDir(
  context: CommandContext,
  policies: string | undefined,
  now: Date,
): Promise<LoadedPolicyDir> {
  const { display, files } = await readPolicyFiles(context, policies);
  return { ...loadPolicy(files, { dir: display, now, targets: policyTargetsFor(context) }), display, files };
}
