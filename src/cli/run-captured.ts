import { PassThrough } from "node:stream";
import type { CommandContext } from "./command.js";
import { main } from "./main.js";

export interface CapturedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a scim-gitops command in this process, as `scim-gitops ARGV` would from the shell, and returns what
 * it printed instead of writing it out: for callers that post the output elsewhere (the Action's comment
 * and summary) or check it (tests).
 */
export async function runCaptured(
  argv: readonly string[],
  context: Omit<Partial<CommandContext>, "stdout" | "stderr">,
): Promise<CapturedRun> {
  const out = collect();
  const err = collect();
  const code = await main(argv, { ...context, stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}
