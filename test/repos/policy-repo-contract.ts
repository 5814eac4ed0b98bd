import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PolicyRepo } from "../../src/repos/policy-repo.js";
import { MergeConflictError } from "../../src/repos/policy-repo.js";
import { retryOnHeadMoved } from "../../src/repos/retry-on-head-moved.js";

/** One freshly opened repository whose main holds the example policies in a single commit. */
export interface PolicyRepoHarness {
  readonly repo: PolicyRepo;
  /** The first (and only) commit on main. */
  readonly main: string;
  /** Whether a MergeConflictError from this host names the conflicting paths (GitHub's merge API does not). */
  readonly namesConflictPaths: boolean;
  /** How many commits `to` has that `from` lacks, read straight from the store rather than through `repo`. */
  commitsAhead(from: string, to: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The behaviour every PolicyRepo implementation promises (DESIGN §5, §8), so the git and GitHub
 * implementations are held to the same cases instead of two copies that can drift apart.
 */
export function describePolicyRepoContract(name: string, open: () => Promise<PolicyRepoHarness>): void {
  describe(`${name}: the PolicyRepo contract`, () => {
    let harness: PolicyRepoHarness;
    let repo: PolicyRepo;
    let main: string;

    beforeEach(async () => {
      harness = await open();
      ({ repo, main } = harness);
    });

    afterEach(async () => {
      await harness.close();
    });

    const commitOnMain = (path: string, content: string, message: string) =>
      repo.commitFiles({
        branch: "main",
        parent: main,
        changes: [{ path, content }],
        message,
        update: { kind: "expect", head: main },
      });

    const branchWith = (branch: string, path: string, content: string) =>
      repo.commitFiles({
        branch,
        parent: main,
        changes: [{ path, content }],
        message: `${branch}\n`,
        update: { kind: "create" },
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
        const theirs = await commitOnMain("policies/b.yaml", "b: 1\n", "theirs\n");
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
    });

    describe("comparing", () => {
      it("names every path two commits differ in, inside the policy or not, and none rewritten unchanged", async () => {
        const settings = (await repo.readFile(main, "policies/settings.yaml")) ?? "";
        const commit = await repo.commitFiles({
          branch: "person/edit",
          parent: main,
          changes: [
            { path: "policies/settings.yaml", content: settings },
            { path: "policies/access/team.yaml", content: null },
            { path: "policies/access/new.yaml", content: "roles: {}\n" },
            { path: ".github/workflows/apply.yml", content: "on: push\n" },
          ],
          message: "edit\n",
          update: { kind: "create" },
        });
        const changed = [
          ".github/workflows/apply.yml",
          "policies/access/new.yaml",
          "policies/access/team.yaml",
        ];
        expect(await repo.changedPaths(main, commit)).toEqual(changed);
        expect(await repo.changedPaths(commit, main)).toEqual(changed);
        expect(await repo.changedPaths("person/edit", "main")).toEqual(changed);
        expect(await repo.changedPaths(main, main)).toEqual([]);
      });
    });

    describe("merging", () => {
      it("merges the pinned head with a merge commit carrying the message, even after main moved", async () => {
        const head = await branchWith("scim-gitops/emergency/bob-20261129T021500Z", "policies/u.yaml", "u\n");
        const moved = await commitOnMain("policies/other.yaml", "o\n", "person\n");
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
        await expect(
          repo.merge({ branch: "e", head: main, into: "main", message: "m\n" }),
        ).rejects.toMatchObject({ name: "HeadMovedError", branch: "e", actual: head });
        const moved = await commitOnMain("policies/z.yaml", "z\n", "z\n");
        await expect(
          repo.merge({ branch: "e", head, into: "main", message: "m\n", expectedBase: main }),
        ).rejects.toMatchObject({ name: "HeadMovedError", branch: "main" });
        expect(await repo.head("main")).toBe(moved);
      });

      it("reports a conflict, with the paths where the host names them, and leaves main alone", async () => {
        const head = await branchWith("e", "policies/settings.yaml", "version: 1\n# ours\n");
        const theirs = await commitOnMain("policies/settings.yaml", "version: 1\n# theirs\n", "theirs\n");
        const failure = repo.merge({ branch: "e", head, into: "main", message: "m\n" });
        await expect(failure).rejects.toBeInstanceOf(MergeConflictError);
        if (harness.namesConflictPaths) {
          await expect(failure).rejects.toMatchObject({ paths: ["policies/settings.yaml"] });
        }
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
        expect(await harness.commitsAhead(main, (await repo.head("main")) ?? "")).toBe(10);
        // Ten writers racing through git processes (and, for GitHub, a fake in front of them) take tens of
        // seconds on a loaded two-core machine; the retries are what is under test, not the speed.
      }, 120_000);
    });
  });
}
