import { resolve } from "node:path";
import type { CommandContext } from "./command.js";
import { policyTargetsFor } from "./context-targets.js";
import { UsageError } from "./errors.js";
import { readPolicyDir } from "../repos/policy-files.js";
import { loadPolicy, type LoadResult } from "../policy/load/load.js";

export interface LoadedPolicyDir extends LoadResult {
  /** The directory as the user named it (`--policies`), which prefixes every diagnostic's file. */
  readonly display: string;
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Reads the `--policies` directory (default `policies`, relative to the working directory) and loads it.
 * A directory that cannot be read is a usage error; what to do with the diagnostics is the command's call.
 */
export async function loadPolicyDir(
  context: CommandContext,
  policies: string | undefined,
  now: Date,
): Promise<LoadedPolicyDir> {
  const display = policies ?? "policies";
  const dir = resolve(context.cwd, display);
  let files: Map<string, string>;
  try {
    files = await readPolicyDir(dir);
  } catch (error) {
    throw new UsageError(`cannot read the policy directory ${dir}: pass --policies DIR`, { cause: error });
  }
  return { ...loadPolicy(files, { dir: display, now, targets: policyTargetsFor(context) }), display, files };
}
