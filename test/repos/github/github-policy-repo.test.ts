import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubPolicyRepo } from "../../../src/repos/github/github-policy-repo.js";
import { HeadMovedError } from "../../../src/repos/policy-repo.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import type { PolicyRepoHarness } from "../policy-repo-contract.js";
import { describePolicyRepoContract } from "../policy-repo-contract.js";
import { openGitHubFixture } from "./github-fixture.js";

async function openGitHubHarness(): Promise<PolicyRepoHarness> {
  const fixture = await openGitHubFixture();
  return {
    repo: fixture.repo,
    main: fixture.main,
    namesConflictPaths: false,
    commitsAhead: async (from, to) => (await fixture.fake.store.aheadBehind(from, to)).ahead,
    close: () => fixture.fake.close(),
  };
}

// The shared cases run against GitHub's REST API (a stateful fake); below are the GitHub-only ones.
describePolicyRepoContract("GitHub", openGitHubHarness);

// Its own repository per test, so the contract cases above do not open a second one they never use.
describe("GitHub only", () => {
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

    it("counts a file made executable as changed, though its text is the same, and reads no blob for it", async () => {
      const tree = await fake.store.writeTree((await fake.store.commit(main))?.tree, [
        { path: "policies/settings.yaml", mode: "100755", content: "version: 1\n" },
      ]);
      const executable = await fake.store.writeCommit(
        typeof tree === "string" ? tree : "",
        [main],
        "chmod\n",
      );
      fake.log.length = 0;
      expect(await repo.changedPaths(main, executable)).toEqual(["policies/settings.yaml"]);
      expect(fake.log.filter((entry) => entry.path.includes("/git/blobs/"))).toEqual([]);
    });
  });

  describe("commits", () => {
    it("does not count an unrelated commit as an ancestor, and says when a commit does not exist", async () => {
      const tree = await fake.store.writeTree(undefined, [{ path: "x", mode: "100644", content: "x" }]);
      const unrelated = await fake.store.writeCommit(typeof tree === "string" ? tree : "", [], "orphan\n");
      expect(await repo.isAncestor(unrelated, main)).toBe(false);
      await expect(repo.isAncestor("f".repeat(40), main)).rejects.toMatchObject({ name: "RefNotFoundError" });
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
    it("merges onto the expected base through a scratch branch it removes afterwards", async () => {
      const head = await repo.commitFiles({
        branch: "e",
        parent: main,
        changes: [{ path: "policies/u.yaml", content: "u\n" }],
        message: "e\n",
        update: { kind: "create" },
      });
      const merge = await repo.merge({ branch: "e", head, into: "main", message: "m\n", expectedBase: main });
      expect(await repo.head("main")).toBe(merge);
      expect((await repo.readCommit(merge)).parents).toEqual([main, head]);
      expect(await repo.listBranches("scim-gitops/merging/")).toEqual([]);
    });
  });
});
