/**
 * Git through the launcher (serve's proposer thread runs it so): the built module, since the launcher is a
 * process of its own started from dist/repos/git/git-launcher-entry.js (`npm test` builds first), against
 * real git repositories. What a caller sees must be what a git spawned from its own process gives.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as GitModule from "../../../src/repos/git/git.js";

const DIST = join(import.meta.dirname, "..", "..", "..", "dist", "repos", "git");
const built = (await import(join(DIST, "git.js"))) as typeof GitModule;
// A second copy of the module, for the same calls spawning git directly.
const direct = (await import(`${join(DIST, "git.js")}?direct`)) as typeof GitModule;
built.runGitThroughLauncher();

let repo: string;

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "git-launcher-"));
  execFileSync("git", ["init", "--quiet", "-b", "main", repo]);
  execFileSync("git", [
    "-C",
    repo,
    "-c",
    "user.name=t",
    "-c",
    "user.email=t@example.com",
    "commit",
    "--quiet",
    "--allow-empty",
    "-m",
    "first",
  ]);
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe("git through the launcher", () => {
  it("runs in another process than this one, and answers as git spawned from here does", async () => {
    // An alias runs through a shell whose parent is git: git's own parent is whoever spawned it.
    const parentOfGit = ["-c", "alias.parent=!cut -d' ' -f4 /proc/$PPID/stat", "parent"];
    const launched = Number(await built.gitText(parentOfGit, { cwd: repo }));
    expect(launched).not.toBe(process.pid);
    expect(Number(await direct.gitText(parentOfGit, { cwd: repo }))).toBe(process.pid);

    const args = ["log", "--format=%H %s", "main"];
    expect(await built.gitText(args, { cwd: repo })).toBe(await direct.gitText(args, { cwd: repo }));
  });

  it("passes input, environment and binary output through unchanged", async () => {
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a, 0x80]);
    const blob = await built.gitText(["hash-object", "-w", "--stdin"], { cwd: repo, input: bytes });
    expect(blob).toBe(await direct.gitText(["hash-object", "--stdin"], { cwd: repo, input: bytes }));
    expect(await built.git(["cat-file", "blob", blob], { cwd: repo })).toEqual(bytes);
    const who = await built.gitText(["var", "GIT_AUTHOR_IDENT"], {
      cwd: repo,
      env: { GIT_AUTHOR_NAME: "Launched Person", GIT_AUTHOR_EMAIL: "launched@example.com" },
    });
    expect(who).toMatch(/^Launched Person <launched@example\.com> \d+/);
  });

  it("gives git's exit code and stderr, and the same explanation for a directory that is gone", async () => {
    const missing = await built.gitResult(["rev-parse", "--verify", "--quiet", "no-such-branch"], {
      cwd: repo,
    });
    expect(missing.code).toBe(1);
    await expect(built.git(["cat-file", "-t", "0".repeat(40)], { cwd: repo })).rejects.toThrow(
      /git cat-file failed \(exit 128\): fatal: .*could not get object info/,
    );
    const gone = join(repo, "no-such-directory");
    const launchedError = await built
      .gitText(["status"], { cwd: gone })
      .catch((error: Error) => error.message);
    const directError = await direct
      .gitText(["status"], { cwd: gone })
      .catch((error: Error) => error.message);
    expect(launchedError).toMatch(/the directory does not exist/);
    expect(launchedError).toBe(directError);
  });

  it("runs commands side by side", async () => {
    const started = performance.now();
    const sleeps = Array.from({ length: 4 }, () =>
      built.gitText(["-c", "alias.nap=!sleep 0.3", "nap"], { cwd: repo }),
    );
    await Promise.all(sleeps);
    expect(performance.now() - started).toBeLessThan(1_100);
  });
});

describe("a process that uses the launcher", () => {
  it("exits when its work is done, and the launcher goes with it", async () => {
    const script = `
      const git = await import(${JSON.stringify(join(DIST, "git.js"))});
      git.runGitThroughLauncher();
      console.log(await git.gitText(["rev-parse", "main"], { cwd: ${JSON.stringify(repo)} }));
      console.log(await git.gitText(["-c", "alias.parent=!cut -d' ' -f4 /proc/$PPID/stat", "parent"], { cwd: ${JSON.stringify(repo)} }));
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      timeout: 10_000,
      encoding: "utf8",
    });
    const [head, launcherPid] = output.trim().split("\n");
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    const launcherAlive = () =>
      existsSync(`/proc/${launcherPid}/stat`) &&
      !readFileSync(`/proc/${launcherPid}/stat`, "utf8").includes(") Z ");
    for (let waited = 0; launcherAlive() && waited < 2_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(launcherAlive()).toBe(false);
  });

  it("fails a command whose launcher was killed, saying so, and the next command starts a new one", async () => {
    const killer = [
      "-c",
      "alias.killlauncher=!kill -9 $(cut -d' ' -f4 /proc/$PPID/stat); sleep 5",
      "killlauncher",
    ];
    await expect(built.gitText(killer, { cwd: repo })).rejects.toThrow(
      /the git launcher exited \(SIGKILL\) before the command finished; it may or may not have run/,
    );
    expect(await built.gitText(["rev-parse", "--is-inside-git-dir"], { cwd: join(repo, ".git") })).toBe(
      "true",
    );
  });
});
