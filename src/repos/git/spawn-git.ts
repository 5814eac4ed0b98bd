import { spawn } from "node:child_process";

/** One git command's result, whatever its exit code. */
export interface GitResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** A git command to run: everything it needs crosses a process boundary unchanged. */
export interface GitCommand {
  readonly args: readonly string[];
  readonly cwd: string;
  /** The whole environment git runs with. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly input?: string | Buffer;
}

/** Git could not be started at all: `code` is the errno name (`ENOENT` for a missing program or cwd). */
export interface SpawnFailure {
  readonly failed: { readonly code: string | undefined; readonly message: string };
}

/** Spawns git from this process and collects what it writes; never rejects. */
export function spawnGit(command: GitCommand): Promise<GitResult | SpawnFailure> {
  return new Promise((resolve) => {
    const child = spawn("git", command.args, {
      cwd: command.cwd,
      env: command.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    // A command that exits before reading all its input (a failed update-index) closes the pipe: its exit
    // code and stderr say why, so the EPIPE adds nothing.
    child.stdin.on("error", () => undefined);
    child.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ failed: { code: error.code, message: error.message } }),
    );
    child.on("close", (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString("utf8").trim(),
      }),
    );
    child.stdin.end(command.input);
  });
}
