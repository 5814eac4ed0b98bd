import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { git } from "../../src/repos/git/git.js";
import type { GitPolicyRepo } from "../../src/repos/git/git-policy-repo.js";
import { openGitPolicyRepo } from "../../src/repos/git/open-git-policy-repo.js";
import { HeadMovedError, PolicyRepoError } from "../../src/repos/policy-repo.js";
import type { PolicyRepoHarness } from "./policy-repo-contract.js";
import { describePolicyRepoContract } from "./policy-repo-contract.js";

let scratch: string;
let repo: GitPolicyRepo;
let main: string;

const gitIn = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, HOME: cwd } }).trim();

async function openScratchRepo(): Promise<{ scratch: string; repo: GitPolicyRepo; main: string }> {
  const scratch = await mkdtemp(join(tmpdir(), "policy-repo-test-"));
  const examples = join(scratch, "examples");
  await mkdir(join(examples, "access"), { recursive: true });
  await writeFile(join(examples, "settings.yaml"), "version: 1\n");
  await writeFile(join(examples, "access", "team.yaml"), "roles: {}\nbindings: []\n");
  const repo = await openGitPolicyRepo(join(scratch, "repo"), { createFrom: examples });
  return { scratch, repo, main: (await repo.head("main")) ?? "" };
}

async function openGitHarness(): Promise<PolicyRepoHarness> {
  const opened = await openScratchRepo();
  return {
    repo: opened.repo,
    main: opened.main,
    namesConflictPaths: true,
    commitsAhead: (from, to) =>
      Promise.resolve(Number(gitIn(opened.repo.path, "rev-list", "--count", `${from}..${to}`))),
    close: () => rm(opened.scratch, { recursive: true, force: true }),
  };
}

describePolicyRepoContract("git", openGitHarness);

// Its own repository per test, so the contract cases above do not open a second one they never use.
describe("git only", () => {
  beforeEach(async () => {
    ({ scratch, repo, main } = await openScratchRepo());
  });

  afterEach(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  describe("opening the embedded repository", () => {
    it("creates a repository whose main holds the examples under policies/, committed by the bot", async () => {
      expect(await repo.readFiles("main", "policies")).toEqual(
        new Map([
          ["access/team.yaml", "roles: {}\nbindings: []\n"],
          ["settings.yaml", "version: 1\n"],
        ]),
      );
      expect(gitIn(repo.path, "log", "-1", "--format=%an <%ae>", "main")).toBe(
        "scim-gitops <scim-gitops@localhost>",
      );
    });

    it("puts the examples under POLICY_DIR when it is not the default", async () => {
      const custom = await openGitPolicyRepo(join(scratch, "custom"), {
        createFrom: join(scratch, "examples"),
        policyDir: "platform/access-policy/",
      });
      expect([...(await custom.readFiles("main", "")).keys()]).toEqual([
        "platform/access-policy/access/team.yaml",
        "platform/access-policy/settings.yaml",
      ]);
    });

    it("reopens an existing repository without another commit", async () => {
      const again = await openGitPolicyRepo(repo.path, { createFrom: join(scratch, "nowhere") });
      expect(await again.head("main")).toBe(main);
    });

    it("refuses a directory that is neither empty nor a repository, saying what to do", async () => {
      const busy = join(scratch, "busy");
      await mkdir(busy);
      await writeFile(join(busy, "notes.txt"), "mine");
      await expect(openGitPolicyRepo(busy, { createFrom: scratch })).rejects.toThrow(/choose another --repo/);
      await expect(openGitPolicyRepo(join(scratch, "absent"))).rejects.toBeInstanceOf(PolicyRepoError);
    });
  });

  describe("when git cannot run", () => {
    it("says the repository directory is gone rather than asking to install git", async () => {
      await rm(repo.path, { recursive: true, force: true });
      const failure = repo.head("main");
      await expect(failure).rejects.toThrow(
        `could not run git in ${repo.path}: the directory does not exist`,
      );
      await expect(failure).rejects.not.toThrow(/install git/);
    });

    it("asks to install git when the directory is there but git is not on PATH", async () => {
      await expect(
        git(["--version"], { cwd: scratch, env: { PATH: join(scratch, "no-bin") } }),
      ).rejects.toThrow("could not run git: it is not on PATH; install git 2.39 or newer");
    });
  });

  describe("commits", () => {
    it("refuses to create a branch that exists, and force-updates a bot branch", async () => {
      await repo.setBranch("scim-gitops/sync", main, { kind: "create" });
      await expect(repo.setBranch("scim-gitops/sync", main, { kind: "create" })).rejects.toBeInstanceOf(
        HeadMovedError,
      );
      const other = await repo.writeCommit(main, [{ path: "x", content: "x" }], "x\n");
      await repo.setBranch("scim-gitops/sync", other, { kind: "force" });
      expect(await repo.head("scim-gitops/sync")).toBe(other);
      expect(await repo.listBranches("scim-gitops/")).toEqual([{ branch: "scim-gitops/sync", head: other }]);
      await expect(repo.deleteBranch("scim-gitops/sync", main)).rejects.toBeInstanceOf(HeadMovedError);
      await repo.deleteBranch("scim-gitops/sync", other);
      expect(await repo.head("scim-gitops/sync")).toBeUndefined();
    });
  });

  describe("bulk", () => {
    it("commits 10,000 files in a few seconds with a handful of git processes", async () => {
      const changes = Array.from({ length: 10_000 }, (_, index) => ({
        path: `policies/identities/users/user-${index}.yaml`,
        content: `id: ${index}\nuserName: user-${index}@example.com\nactive: true\n`,
      }));
      const started = performance.now();
      const commit = await repo.commitFiles({
        branch: "scim-gitops/sync",
        parent: main,
        changes,
        message: "bulk\n",
        update: { kind: "force" },
      });
      const elapsed = performance.now() - started;
      const files = await repo.readFiles(commit, "policies/identities/users");
      expect(files.size).toBe(10_000);
      expect(files.get("user-9999.yaml")).toBe("id: 9999\nuserName: user-9999@example.com\nactive: true\n");
      expect(elapsed).toBeLessThan(5_000);
    });
  });

  describe("sharing the repository", () => {
    it("never touches a checked-out work tree or its index", async () => {
      const clone = join(scratch, "clone");
      gitIn(scratch, "clone", "--quiet", repo.path, clone);
      const before = gitIn(clone, "ls-files", "--stage");
      const mine = await openGitPolicyRepo(clone);
      const head = (await mine.head("main")) ?? "";
      await mine.commitFiles({
        branch: "scim-gitops/sync",
        parent: head,
        changes: [
          { path: "policies/settings.yaml", content: "version: 1\n# bot\n" },
          { path: "policies/new.yaml", content: "n: 1\n" },
        ],
        message: "bot\n",
        update: { kind: "create" },
      });
      expect(gitIn(clone, "status", "--porcelain")).toBe("");
      expect(gitIn(clone, "ls-files", "--stage")).toBe(before);
    });
  });
});
