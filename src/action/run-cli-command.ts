import type { Config } from "../config.js";
import { runCaptured, type CapturedRun } from "../cli/run-captured.js";

export interface CliRunner {
  (argv: readonly string[]): Promise<CapturedRun>;
}

/**
 * Runs a scim-gitops command in this process, as `scim-gitops ARGV` would from the shell, and keeps what
 * it printed: the action needs the output for the comment and the summary, and the log gets stderr.
 */
export function cliRunner(options: {
  config: Config;
  cwd: string;
  now: () => Date;
  log: (text: string) => void;
}): CliRunner {
  return async (argv) => {
    const result = await runCaptured(argv, { config: options.config, cwd: options.cwd, now: options.now });
    if (result.stderr !== "") options.log(result.stderr);
    return result;
  };
}
