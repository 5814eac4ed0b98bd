import { statSync } from "node:fs";
import { GitLauncher } from "./git-launcher.js";
import { spawnGit, type GitResult, type SpawnFailure } from "./spawn-git.js";

export type { GitResult } from "./spawn-git.js";

export class GitError extends Error {
  override name = "GitError";
}

export interface GitOptions {
  readonly cwd: string;
  readonly input?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Node reports a missing working directory exactly like a missing program (`spawn git ENOENT`), so look at
 * the directory before blaming the git install.
 */
function explainSpawnFailure({ failed }: SpawnFailure, cwd: string): GitError {
  if (failed.code !== "ENOENT") return new GitError(`could not run git in ${cwd}: ${failed.message}`);
  return isDirectory(cwd)
    ? new GitError("could not run git: it is not on PATH; install git 2.39 or newer")
    : new GitError(
        `could not run git in ${cwd}: the directory does not exist (was the repository moved or deleted?); ` +
          "restore it, or point --repo at the policy repository and restart",
      );
}

let launcher: GitLauncher | undefined;

/**
 * From now on this process (this thread: each has its own modules) runs git through a small launcher
 * process (git-launcher.ts), for a process whose heap is large: serve's proposer thread.
 */
export function runGitThroughLauncher(): void {
  launcher ??= new GitLauncher();
}

/** Runs one git command and resolves to its stdout. Rejects with git's own stderr, which names the fix. */
export async function git(args: readonly string[], options: GitOptions): Promise<Buffer> {
  const result = await gitResult(args, options);
  if (result.code !== 0) {
    throw new GitError(`git ${args[0] ?? ""} failed (exit ${result.code}): ${result.stderr}`);
  }
  return result.stdout;
}

export async function gitText(args: readonly string[], options: GitOptions): Promise<string> {
  return (await git(args, options)).toString("utf8").trim();
}

/**
 * Every file under `dir` at revision `rev`, keyed by path relative to `dir`. Two git processes whatever the
 * number of files: `ls-tree` for the blob ids, one `cat-file --batch` for their contents.
 */
export async function readTreeFiles(repo: string, rev: string, dir: string): Promise<Map<string, string>> {
  const prefix = dir === "" || dir === "." ? "" : `${dir.replace(/\/+$/, "")}/`;
  const listing = await git(["ls-tree", "-r", "-z", "--full-tree", rev, "--", prefix === "" ? "." : prefix], {
    cwd: repo,
  });
  const entries: { path: string; blob: string }[] = [];
  for (const record of listing.toString("utf8").split("\0")) {
    if (record === "") continue;
    const tab = record.indexOf("\t");
    const [, type, blob] = record.slice(0, tab).split(" ");
    const path = record.slice(tab + 1);
    if (type === "blob" && blob !== undefined && path.startsWith(prefix)) {
      entries.push({ path: path.slice(prefix.length), blob });
    }
  }
  const files = new Map<string, string>();
  if (entries.length === 0) return files;
  const batch = await git(["cat-file", "--batch"], {
    cwd: repo,
    input: entries.map((entry) => entry.blob).join("\n") + "\n",
  });
  let offset = 0;
  for (const entry of entries) {
    const headerEnd = batch.indexOf(0x0a, offset);
    const header = batch.subarray(offset, headerEnd).toString("utf8");
    const size = Number(header.split(" ")[2]);
    if (!Number.isInteger(size))
      throw new GitError(`unexpected cat-file output for ${entry.path}: ${header}`);
    files.set(entry.path, batch.subarray(headerEnd + 1, headerEnd + 1 + size).toString("utf8"));
    offset = headerEnd + 1 + size + 1;
  }
  return files;
}

/**
 * Runs one git command and resolves whatever its exit code, for commands whose code is an answer
 * (`merge-base --is-ancestor`, `merge-tree --write-tree`, `rev-parse --verify --quiet`).
 */
export async function gitResult(args: readonly string[], options: GitOptions): Promise<GitResult> {
  const command = {
    args,
    cwd: options.cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
  };
  const outcome = await (launcher === undefined ? spawnGit(command) : launcher.run(command));
  if ("failed" in outcome) throw explainSpawnFailure(outcome, options.cwd);
  return outcome;
}
