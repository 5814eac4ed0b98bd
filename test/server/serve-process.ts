/**
 * `scim-gitops serve` as a child process, as an operator runs it: the compiled `dist/` when it is newer than
 * every source file, else the sources through tsx. Used by the crash test, the serve tests and the import
 * benchmark.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { once } from "node:events";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ServeProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:PORT/scim/v2`. */
  readonly scimUrl: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  stdout(): string;
  stderr(): string;
  /** Sends the signal and resolves with the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ServeProcessOptions {
  readonly dataDir: string;
  /** `--repo`; absent in GitHub mode, where POLICY_REPO names the repository. */
  readonly repoPath?: string;
  /** Added to a clean environment (no GitHub credentials, no PORT). */
  readonly env?: Record<string, string>;
  readonly args?: readonly string[];
  /** Flags for node itself, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  readonly nodeArgs?: readonly string[];
  readonly startTimeoutMs?: number;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The command line that runs the CLI: dist when it is current, else the sources. */
function cliCommand(): string[] {
  const compiled = join(PROJECT_ROOT, "dist", "cli", "main.js");
  try {
    if (newestMtime(join(PROJECT_ROOT, "dist")) >= newestMtime(join(PROJECT_ROOT, "src"))) {
      statSync(compiled);
      return [compiled];
    }
  } catch {
    // No dist yet: run the sources.
  }
  return ["--import", "tsx", join(PROJECT_ROOT, "src", "cli", "main.ts")];
}

function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG", "NODE_OPTIONS"];
  const env: Record<string, string> = {};
  for (const name of keep) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs `serve --port 0 ARGS` to its exit, for the cases where it must refuse to start. */
export function runServeToExit(
  args: readonly string[],
  env: Record<string, string> = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...cliCommand(), "serve", "--port", "0", ...args], {
    cwd: PROJECT_ROOT,
    env: cleanEnv(env),
    encoding: "utf8",
    timeout: 30_000,
  });
}

/**
 * As runServeToExit, without blocking this process: needed when what serve talks to (the GitHub fake)
 * runs in this process too.
 */
export async function runServeUntilExit(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...cliCommand(), "serve", "--port", "0", ...args], {
    cwd: PROJECT_ROOT,
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const [status] = (await once(child, "close")) as [number | null];
  clearTimeout(timer);
  return { status, stdout, stderr };
}

export async function startServeProcess(options: ServeProcessOptions): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      ...cliCommand(),
      "serve",
      "--port",
      "0",
      "--data",
      options.dataDir,
      ...(options.repoPath === undefined ? [] : ["--repo", options.repoPath]),
      ...(options.args ?? []),
    ],
    { cwd: PROJECT_ROOT, env: cleanEnv(options.env), stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const scimUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve printed no URL within the timeout:\n${out}\n${err}`)),
      options.startTimeoutMs ?? 30_000,
    );
    const look = () => {
      const line = out.split("\n").find((candidate) => /^http:\/\/\S+\/scim\/v2$/.test(candidate));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    child.stdout.on("data", look);
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
  return {
    child,
    scimUrl,
    origin: scimUrl.replace(/\/scim\/v2$/, ""),
    stdout: () => out,
    stderr: () => err,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}

export interface FlushState {
  readonly status: string;
  readonly flush: {
    pendingChanges: number;
    flushes: number;
    syncCommits: number;
    lastFlushAt?: string;
    lastError?: string;
  };
  readonly ledger: { pendingWrites: number; users: number; groups: number };
}

/**
 * Polls `/healthz` until a flush finished after `since` with nothing pending. A change acknowledged before
 * `since` is either in that flush (it was pending when the flush took its batch) or still pending.
 */
export async function waitForFlush(origin: string, since: Date, timeoutMs = 60_000): Promise<FlushState> {
  const deadline = Date.now() + timeoutMs;
  let last: FlushState | undefined;
  while (Date.now() < deadline) {
    const response = await fetch(`${origin}/healthz`);
    last = (await response.json()) as FlushState;
    const flushedAt = last.flush.lastFlushAt === undefined ? 0 : Date.parse(last.flush.lastFlushAt);
    if (flushedAt >= since.getTime() && last.flush.pendingChanges === 0 && last.ledger.pendingWrites === 0) {
      return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no flush within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}
