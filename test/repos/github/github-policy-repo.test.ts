import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubPolicyRepo } from "../../../src/repos/github/github-policy-repo.js";
import { HeadMovedError, MergeConflictError } from "../../../src/repos/policy-repo.js";
import { retryOnHeadMoved } from "../../../src/repos/retry-on-head-moved.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { openGitHubFixture } from "./github-fixture.js";

// The behaviour of test/repos/git-policy-repo.test.ts, on GitHub's REST API (a stateful fake).
let fake: FakeGitHub;
let repo: GitHubPolicyRepo;
let main: string;

beforeEach(async () => {
  ({ fake, repo, main } = await openGitHubFixture());
});

afterEach(async () => {
  await fake.close();
});

describe("reading", () => {
  it("reads main's files, one file, and nothing for a missing file or branch", async () => {
    expect(repo.location).toBe("acme/policy");
    expect(await repo.readFiles("main", "policies")).toEqual(
      new Map([
        ["access/team.yaml", "roles: {}\nbindings: []\n"],
        ["settings.yaml", "version: 1\n"],
      ]),
    );
    expect(await repo.readFile("main", "policies/settings.yaml")).toBe("version: 1\n");
    expect(await repo.readFile(main, "policies/absent.yaml")).toBeUndefined();
    expect(await repo.readFile("no-such-branch", "policies/settings.yaml")).toBeUndefined();
    expect(await repo.head("no-such-branch")).toBeUndefined();
    await expect(repo.readCommit("0".repeat(40))).rejects.toMatchObject({ name: "RefNotFoundError" });
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
    const tree = await fake.store.writeTree(undefined, [{ path: "x", mode: "100644", content: "x" }]);
    const unrelated = await fake.store.writeCommit(typeof tree === "string" ? tree : "", [], "orphan\n");
    expect(await repo.isAncestor(unrelated, commit)).toBe(false);
    await expect(repo.isAncestor("f".repeat(40), commit)).rejects.toMatchObject({ name: "RefNotFoundError" });
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

  it("refuses to create a branch that exists, and force-updates (or creates) a bot branch", async () => {
    await repo.setBranch("scim-gitops/sync", main, { kind: "create" });
    await expect(repo.setBranch("scim-gitops/sync", main, { kind: "create" })).rejects.toBeInstanceOf(
      HeadMovedError,
    );
    const other = await repo.commitFiles({
      branch: "scim-gitops/other",
      parent: main,
      changes: [{ path: "x", content: "x" }],
      message: "x\n",
      update: { kind: "force" },
    });
    await repo.setBranch("scim-gitops/sync", other, { kind: "force" });
    await repo.setBranch("scim-gitops/sync", main, { kind: "force" });
    await repo.setBranch("scim-gitops/sync", other, { kind: "expect", head: main });
    expect(await repo.head("scim-gitops/sync")).toBe(other);
    expect(await repo.listBranches("scim-gitops/")).toEqual([
      { branch: "scim-gitops/other", head: other },
      { branch: "scim-gitops/sync", head: other },
    ]);
    expect(await repo.listBranches("nothing-like-this/")).toEqual([]);
    await expect(repo.deleteBranch("scim-gitops/sync", main)).rejects.toBeInstanceOf(HeadMovedError);
    await repo.deleteBranch("scim-gitops/sync", other);
    await repo.deleteBranch("scim-gitops/sync");
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
  const moveMain = (path: string, content: string) =>
    repo.commitFiles({
      branch: "main",
      parent: main,
      changes: [{ path, content }],
      message: "person\n",
      update: { kind: "expect", head: main },
    });

  it("merges the pinned head with a merge commit carrying the message, even after main moved", async () => {
    const head = await branchWith("scim-gitops/emergency/bob-20261129T021500Z", "policies/u.yaml", "u\n");
    const moved = await moveMain("policies/other.yaml", "o\n");
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

  it("merges onto the expected base through a scratch branch it removes afterwards", async () => {
    const head = await branchWith("e", "policies/u.yaml", "u\n");
    const merge = await repo.merge({ branch: "e", head, into: "main", message: "m\n", expectedBase: main });
    expect(await repo.head("main")).toBe(merge);
    expect((await repo.readCommit(merge)).parents).toEqual([main, head]);
    expect(await repo.listBranches("scim-gitops/merging/")).toEqual([]);
  });

  it("refuses when the branch moved from the pinned sha or main moved from the expected base", async () => {
    const head = await branchWith("e", "policies/u.yaml", "u\n");
    await expect(repo.merge({ branch: "e", head: main, into: "main", message: "m\n" })).rejects.toMatchObject(
      {
        name: "HeadMovedError",
        branch: "e",
        actual: head,
      },
    );
    const moved = await moveMain("policies/z.yaml", "z\n");
    await expect(
      repo.merge({ branch: "e", head, into: "main", message: "m\n", expectedBase: main }),
    ).rejects.toMatchObject({
      name: "HeadMovedError",
      branch: "main",
    });
    expect(await repo.head("main")).toBe(moved);
  });

  it("reports a conflict and leaves main alone", async () => {
    const head = await branchWith("e", "policies/settings.yaml", "version: 1\n# ours\n");
    const theirs = await moveMain("policies/settings.yaml", "version: 1\n# theirs\n");
    await expect(repo.merge({ branch: "e", head, into: "main", message: "m\n" })).rejects.toBeInstanceOf(
      MergeConflictError,
    );
    expect(await repo.head("main")).toBe(theirs);
  });
});

describe("sharing the repository", () => {
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
    expect((await fake.store.aheadBehind(main, (await repo.head("main")) ?? "")).ahead).toBe(10);
  });
});
