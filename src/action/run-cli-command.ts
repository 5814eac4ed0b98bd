import { PassThrough } from "node:stream";
import type { Config } from "../config.js";
import { main } from "../cli/main.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunner {
  (argv: readonly string[]): Promise<CliResult>;
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
    const out = collect();
    const err = collect();
    const code = await main(argv, {
      stdout: out.stream,
      stderr: err.stream,
      config: options.config,
      cwd: options.cwd,
      now: options.now,
    });
    const result = { code, stdout: out.text(), stderr: err.text() };
    if (result.stderr !== "") options.log(result.stderr);
    return result;
  };
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}
