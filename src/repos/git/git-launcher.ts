import { fork, type ChildProcess } from "node:child_process";
import type { GitCommand, GitResult, SpawnFailure } from "./spawn-git.js";

export interface LaunchRequest extends GitCommand {
  readonly id: number;
}

export interface LaunchReply {
  readonly id: number;
  readonly outcome: GitResult | SpawnFailure;
}

const ENTRY = new URL("./git-launcher-entry.js", import.meta.url);

/**
 * Runs git commands from a small child process instead of from this one. Starting a program forks the
 * process that starts it: for serve, holding the directory and the policy (500 MB and more), each fork
 * copies that many page tables (24 ms per git command at 570 MB on this project's 2-core machine, against
 * 2 ms at 50 MB) and leaves the whole heap write-protected until the child execs, so the thread answering
 * SCIM stalls in page faults while the proposer's thread runs git. The launcher is forked once; its own
 * forks are small.
 *
 * Started on the first command; it does not keep this process alive, and exits when this process does.
 */
export class GitLauncher {
  #child: ChildProcess | undefined;
  readonly #pending = new Map<number, (outcome: GitResult | SpawnFailure) => void>();
  #nextId = 1;

  run(command: GitCommand): Promise<GitResult | SpawnFailure> {
    const child = this.#child ?? this.#start();
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      // A command under way keeps this process alive, as a git child of its own would.
      if (this.#pending.size === 1) child.channel?.ref();
      const { args, cwd, env, input } = command;
      const request: LaunchRequest = { id, args, cwd, env, ...(input === undefined ? {} : { input }) };
      child.send(request, (error) => {
        if (error !== null) this.#settle(id, lost(`the git launcher could not be reached: ${error.message}`));
      });
    });
  }

  #start(): ChildProcess {
    const child = fork(ENTRY, [], {
      serialization: "advanced",
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      // Not this process's flags: a --cpu-prof or a loader is for this process, not its launcher.
      execArgv: [],
    });
    child.on("message", ({ id, outcome }: LaunchReply) =>
      this.#settle(id, "failed" in outcome ? outcome : { ...outcome, stdout: Buffer.from(outcome.stdout) }),
    );
    const ended = (why: string) => {
      if (this.#child === child) this.#child = undefined;
      const failed = lost(`the git launcher ${why} before the command finished; it may or may not have run`);
      for (const id of [...this.#pending.keys()]) this.#settle(id, failed);
    };
    child.on("exit", (code, signal) => ended(`exited (${signal ?? `code ${code}`})`));
    child.on("error", (error) => ended(`failed (${error.message})`));
    child.unref();
    child.channel?.unref();
    this.#child = child;
    return child;
  }

  #settle(id: number, outcome: GitResult | SpawnFailure): void {
    const settle = this.#pending.get(id);
    if (settle === undefined) return;
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#child?.channel?.unref();
    settle(outcome);
  }

  /** Ends the launcher (tests; a process exiting ends it anyway). */
  close(): void {
    this.#child?.kill();
    this.#child = undefined;
  }
}

function lost(message: string): SpawnFailure {
  return { failed: { code: "ELAUNCHER", message } };
}
