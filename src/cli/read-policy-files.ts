import { resolve } from "node:path";
import type { CommandContext } from "./command.js";
import { UsageError } from "./errors.js";
import { readPolicyDir } from "../repos/policy-files.js";

export interface PolicyDirFiles {
  /** The directory as the user named it (`--policies`), which prefixes every diagnostic's file. */
  readonly display: string;
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Reads the `--policies` directory (default `policies`, relative to the working directory) into memory.
 * A directory that cannot be read is a usage error.
 */
export async function readPolicyFiles(
  context: CommandContext,
  policies: string | undefined,
): Promise<PolicyDirFiles> {
  const display = policies ?? "policies";
  const dir = resolve(context.cwd, display);
  try {
    return { display, files: await readPolicyDir(dir) };
  } catch (error) {
    throw new UsageError(`cannot read the policy directory ${dir}: pass --policies DIR`, { cause: error });
  }
}
