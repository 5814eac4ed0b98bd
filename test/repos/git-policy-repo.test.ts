import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { git } from "../../src/repos/git/git.js";
import type { GitPolicyRepo } from "../../src/repos/git/git-policy-repo.js";
import { openGitPolicyRepo } from "../../src/repos/git/open-git-policy-repo.js";
import { HeadMovedError, MergeConflictError, PolicyRepoError } from "../../src/repos/policy-repo.js";
import { retryOnHeadMoved } from "../../src/repos/retry-on-head-moved.js";

let scratch: string;
let repo: GitPolicyRepo;
let main: string;

const gitIn = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, HOME: cwd } }).trim();

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), "policy-repo-test-"));
  const examples = join(scratch, "examples");
  await mkdir(join(examples, "access"), { recursive: true });
  await writeFile(join(examples, "settings.yaml"), "version: 1\n");
  await writeFile(join(examples, "access", "team.yaml"), "roles: {}\nbindings: []\n");
  repo = await openGitPolicyRepo(join(scratch, "repo"), { createFrom: examples });
  main = (await repo.head("main")) ?? "";
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
    await expect(failure).rejects.toThrow(`could not run git in ${repo.path}: the directory does not exist`);
    await expect(failure).rejects.not.toThrow(/install git/);
  });

  it("asks to install git when the directory is there but git is not on PATH", async () => {
    await expect(
      git(["--version"], { cwd: scratch, env: { PATH: join(scratch, "no-bin") } }),
    ).rejects.toThrow("could not run git: it is not on PATH; install git 2.39 or newer");
  });
});

describe("commits", () => {
  it("writes, edits and deletes files in one commit on a new branch", async () => {
    const commit = await repo.commitFiles({
      branch: "scim-gitops/sync",
      parent: main,
      changes: [
        { path: "policies/identities/users/alice.yaml", content: "userName: alice\n" },
        { path: "policies/settings.yaml", content: "version: 1\n# edited\n" },
        { path: "policies/access/team.yaml", content: null },
        { path: "policies/never-existed.yaml", content: null },
      ],
      message: "Add alice\n\nSCIM-Operation: POST User 1\n",
      update: { kind: "create" },
    });
    expect(await repo.head("scim-gitops/sync")).toBe(commit);
    expect(await repo.readFiles(commit, "policies")).toEqual(
      new Map([
        ["identities/users/alice.yaml", "userName: alice\n"],
        ["settings.yaml", "version: 1\n# edited\n"],
      ]),
    );
    const info = await repo.readCommit(commit);
    expect(info.parents).toEqual([main]);
    expect(info.message).toContain("SCIM-Operation: POST User 1");
    expect(await repo.isAncestor(main, commit)).toBe(true);
    expect(await repo.isAncestor(commit, main)).toBe(false);
    expect(await repo.head("main")).toBe(main);
  });

  it("loses a compare-and-swap race with HeadMovedError, and a retry that re-reads wins", async () => {
    const ours = { path: "policies/a.yaml", content: "a: 1\n" };
    const theirs = await repo.commitFiles({
      branch: "main",
      parent: main,
      changes: [{ path: "policies/b.yaml", content: "b: 1\n" }],
      message: "theirs\n",
      update: { kind: "expect", head: main },
    });
    const lost = repo.commitFiles({
      branch: "main",
      parent: main,
      changes: [ours],
      message: "ours\n",
      update: { kind: "expect", head: main },
    });
    await expect(lost).rejects.toMatchObject({ name: "HeadMovedError", expected: main, actual: theirs });

    let attempts = 0;
    await retryOnHeadMoved(async () => {
      attempts++;
      const head = attempts === 1 ? main : ((await repo.head("main")) ?? "");
      return repo.commitFiles({
        branch: "main",
        parent: head,
        changes: [ours],
        message: "ours\n",
        update: { kind: "expect", head },
      });
    });
    expect(attempts).toBe(2);
    const files = await repo.readFiles("main", "policies");
    expect(files.get("a.yaml")).toBe("a: 1\n");
    expect(files.get("b.yaml")).toBe("b: 1\n");
  });

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

describe("merging", () => {
  const branchWith = async (branch: string, path: string, content: string) =>
    repo.commitFiles({
      branch,
      parent: main,
      changes: [{ path, content }],
      message: `${branch}\n`,
      update: { kind: "create" },
    });

  it("merges the pinned head with a merge commit carrying the message, even after main moved", async () => {
    const head = await branchWith("scim-gitops/emergency/bob-20261129T021500Z", "policies/u.yaml", "u\n");
    const moved = await repo.commitFiles({
      branch: "main",
      parent: main,
      changes: [{ path: "policies/other.yaml", content: "o\n" }],
      message: "person\n",
      update: { kind: "expect", head: main },
    });
    const merge = await repo.merge({
      branch: "scim-gitops/emergency/bob-20261129T021500Z",
      head,
      into: "main",
      message: "Emergency\n\nSCIM-Operation: PATCH User 7\n",
    });
    expect(await repo.head("main")).toBe(merge);
    const info = await repo.readCommit(merge);
    expect(info.parents).toEqual([moved, head]);
    expect(info.message).toContain("SCIM-Operation: PATCH User 7");
    const files = await repo.readFiles("main", "policies");
    expect([files.get("u.yaml"), files.get("other.yaml")]).toEqual(["u\n", "o\n"]);
  });

  it("refuses when the branch moved from the pinned sha or main moved from the expected base", async () => {
    const head = await branchWith("e", "policies/u.yaml", "u\n");
    await expect(repo.merge({ branch: "e", head: main, into: "main", message: "m\n" })).rejects.toMatchObject(
      { name: "HeadMovedError", branch: "e", actual: head },
    );
    await repo.commitFiles({
      branch: "main",
      parent: main,
      changes: [{ path: "policies/z.yaml", content: "z\n" }],
      message: "z\n",
      update: { kind: "expect", head: main },
    });
    await expect(
      repo.merge({ branch: "e", head, into: "main", message: "m\n", expectedBase: main }),
    ).rejects.toMatchObject({ name: "HeadMovedError", branch: "main" });
  });

  it("reports a conflict with the paths and leaves main alone", async () => {
    const head = await branchWith("e", "policies/settings.yaml", "version: 1\n# ours\n");
    const theirs = await repo.commitFiles({
      branch: "main",
      parent: main,
      changes: [{ path: "policies/settings.yaml", content: "version: 1\n# theirs\n" }],
      message: "theirs\n",
      update: { kind: "expect", head: main },
    });
    const failure = repo.merge({ branch: "e", head, into: "main", message: "m\n" });
    await expect(failure).rejects.toBeInstanceOf(MergeConflictError);
    await expect(failure).rejects.toMatchObject({ paths: ["policies/settings.yaml"] });
    expect(await repo.head("main")).toBe(theirs);
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

  it("lets ten concurrent writers that re-read and retry all land their change", async () => {
    const writers = Array.from({ length: 10 }, (_, index) =>
      retryOnHeadMoved(
        async () => {
          const head = (await repo.head("main")) ?? "";
          return repo.commitFiles({
            branch: "main",
            parent: head,
            changes: [{ path: `policies/writer-${index}.yaml`, content: `writer: ${index}\n` }],
            message: `writer ${index}\n`,
            update: { kind: "expect", head },
          });
        },
        { attempts: 40, baseDelayMs: 5, maxDelayMs: 40 },
      ),
    );
    await Promise.all(writers);
    const files = await repo.readFiles("main", "policies");
    expect([...files.keys()].filter((path) => path.startsWith("writer-"))).toHaveLength(10);
    expect(gitIn(repo.path, "rev-list", "--count", "main")).toBe("11");
  });
});
