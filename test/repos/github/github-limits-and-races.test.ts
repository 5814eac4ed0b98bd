import { createServer } from "node:net";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { GitHubPolicyRepo } from "../../../src/repos/github/github-policy-repo.js";
import {
  GitHubApiError,
  GitHubRateLimitError,
  requestGraphql,
} from "../../../src/repos/github/github-request.js";
import type { FileChange } from "../../../src/repos/policy-repo.js";
import { HeadMovedError, MergeConflictError } from "../../../src/repos/policy-repo.js";
import { retryOnHeadMoved } from "../../../src/repos/retry-on-head-moved.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import type { GitHubFixture } from "./github-fixture.js";
import { fakeClient, openGitHubFixture, pushDirectly, TOKEN } from "./github-fixture.js";

let opened: FakeGitHub | undefined;
async function open(options: { retry?: boolean } = {}): Promise<GitHubFixture> {
  const fixture = await openGitHubFixture(options);
  opened = fixture.fake;
  return fixture;
}

afterEach(async () => {
  await opened?.close();
  opened = undefined;
});

const usersFiles = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    path: `policies/identities/users/user-${index}.yaml`,
    content: `id: ${index}\nuserName: user-${index}@example.com\nactive: true\n`,
  }));

/** A commit on `head` that moves `branch` only if it is still there (compare-and-swap). */
const commitOnTop = (
  repo: GitHubPolicyRepo,
  branch: string,
  head: string,
  changes: readonly FileChange[],
  message: string,
) => repo.commitFiles({ branch, parent: head, changes, message, update: { kind: "expect", head } });

/** Branch `e` off main with one file: the head a merge is then asked to land. */
const branchOffMain = (repo: GitHubPolicyRepo, main: string, path: string, content: string) =>
  repo.commitFiles({
    branch: "e",
    parent: main,
    changes: [{ path, content }],
    message: "e\n",
    update: { kind: "create" },
  });

describe("a person pushes between our read and our ref update", () => {
  it("fails the update with HeadMovedError, and retryOnHeadMoved re-reads and lands both changes", async () => {
    const { fake, repo } = await open();
    let attempts = 0;
    await retryOnHeadMoved(
      async () => {
        attempts++;
        const head = (await repo.head("main")) ?? "";
        if (attempts === 1)
          fake.faults.beforeRefUpdate = () =>
            pushDirectly(fake, "main", "policies/theirs.yaml", "t\n").then(() => undefined);
        return commitOnTop(repo, "main", head, [{ path: "policies/ours.yaml", content: "o\n" }], "ours\n");
      },
      { baseDelayMs: 1 },
    );
    expect(attempts).toBe(2);
    expect(fake.log.filter((entry) => entry.method === "PATCH").map((entry) => entry.status)).toEqual([
      422, 200,
    ]);
    const files = await repo.readFiles("main", "policies");
    expect([files.get("ours.yaml"), files.get("theirs.yaml")]).toEqual(["o\n", "t\n"]);
  });

  it("refuses a merge pinned to the expected base when main moves just before the fast-forward", async () => {
    const { fake, repo, main } = await open();
    const head = await branchOffMain(repo, main, "policies/u.yaml", "u\n");
    let pushed = "";
    // Ref updates: the scratch branch, the merge onto it, then main; the push lands just before the third.
    const pushToMain = async () => {
      pushed = await pushDirectly(fake, "main", "policies/late.yaml", "l\n");
    };
    const thenAfter = (hook: () => Promise<void>) => () => {
      fake.faults.beforeRefUpdate = hook;
      return Promise.resolve();
    };
    fake.faults.beforeRefUpdate = thenAfter(thenAfter(pushToMain));
    const refused = await repo
      .merge({ branch: "e", head, into: "main", message: "m\n", expectedBase: main })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: "HeadMovedError", branch: "main", expected: main, actual: pushed });
    expect(await repo.head("main")).toBe(pushed);
    expect(await repo.listBranches("scim-gitops/merging/")).toEqual([]);
  });
});

describe("request budget", () => {
  it("commits 1,000 files with the same requests as one file", async () => {
    const { fake, repo, main } = await open();
    const requestsFor = async (branch: string, changes: ReturnType<typeof usersFiles>) => {
      await repo.setBranch(branch, main, { kind: "create" });
      const before = fake.log.length;
      const commit = await commitOnTop(repo, branch, main, changes, "bulk\n");
      return { commit, requests: fake.log.slice(before).map((entry) => `${entry.method} ${entry.status}`) };
    };
    const one = await requestsFor("one", usersFiles(1));
    const thousand = await requestsFor("thousand", usersFiles(1_000));
    // The first also reads the parent commit (for its tree), which the second finds cached.
    expect(one.requests).toEqual(["GET 200", "GET 200", "POST 201", "POST 201", "PATCH 200"]);
    expect(thousand.requests).toEqual(["GET 200", "POST 201", "POST 201", "PATCH 200"]);
    const tree = (await repo.readCommit(thousand.commit)).tree;
    const users = (await fake.store.tree(tree, true)).filter((entry) =>
      entry.path.startsWith("policies/identities/users/"),
    );
    expect(users.filter((entry) => entry.type === "blob")).toHaveLength(1_000);
    expect(await repo.readFile(thousand.commit, "policies/identities/users/user-999.yaml")).toBe(
      "id: 999\nuserName: user-999@example.com\nactive: true\n",
    );
  });

  it("adds one tree read when the commit deletes, and drops deletions of paths that do not exist", async () => {
    const { fake, repo, main } = await open();
    const before = fake.log.length;
    const commit = await repo.commitFiles({
      branch: "scim-gitops/sync",
      parent: main,
      changes: [
        { path: "policies/access/team.yaml", content: null },
        { path: "policies/never-existed.yaml", content: null },
      ],
      message: "delete\n",
      update: { kind: "force" },
    });
    expect(fake.log.slice(before).map((entry) => entry.method)).toEqual([
      "GET",
      "GET",
      "POST",
      "POST",
      "PATCH",
      "GET",
      "POST",
    ]);
    expect([...(await repo.readFiles(commit, "policies")).keys()]).toEqual(["settings.yaml"]);
  });

  it("reads 1,000 files cold with one tarball download instead of a request per file", async () => {
    const { fake, repo, main } = await open();
    const longPath = `policies/identities/users/${"very-long-name-".repeat(8)}ünïcode.yaml`;
    const changes = [...usersFiles(1_000), { path: longPath, content: "displayName: Zoë Ångström\n" }];
    const commit = await repo.commitFiles({
      branch: "b",
      parent: main,
      changes,
      message: "m\n",
      update: { kind: "create" },
    });
    const cold = new GitHubPolicyRepo({ client: fakeClient(fake), owner: fake.owner, repo: fake.repo });
    const before = fake.log.length;
    const files = await cold.readFiles("b", "policies");
    expect(fake.log.slice(before).map((entry) => entry.path.replace(/[0-9a-f]{40}/, "SHA"))).toEqual([
      "/repos/acme/policy/git/ref/heads/b",
      "/repos/acme/policy/git/commits/SHA",
      "/repos/acme/policy/git/trees/SHA",
      "/repos/acme/policy/tarball/SHA",
      "/_codeload/SHA",
    ]);
    expect(files.size).toBe(1_003);
    expect(files.get(longPath.slice("policies/".length))).toBe("displayName: Zoë Ångström\n");
    expect(files.get("identities/users/user-999.yaml")).toBe(
      "id: 999\nuserName: user-999@example.com\nactive: true\n",
    );
    expect(files).toEqual(await repo.readFiles(commit, "policies"));
  });

  it("re-reads a directory after someone's one-file change by downloading only that blob", async () => {
    const { fake, repo, main } = await open();
    await commitOnTop(repo, "main", main, usersFiles(100), "users\n");
    const written = fake.log.length;
    await repo.readFiles("main", "policies");
    // What it wrote itself it knows (a blob's id is its content's hash): only the two seeded files come down.
    const downloads = (from: number) =>
      fake.log.slice(from).filter((entry) => entry.path.includes("/git/blobs/")).length;
    expect(downloads(written)).toBe(2);
    await pushDirectly(fake, "main", "policies/identities/users/user-7.yaml", "id: 7\nactive: false\n");
    const before = fake.log.length;
    const files = await repo.readFiles("main", "policies");
    expect(files.get("identities/users/user-7.yaml")).toBe("id: 7\nactive: false\n");
    expect(downloads(before)).toBe(1);
  });
});

describe("merges are never retried blindly", () => {
  it("sends a conflicting merge once even with Probot's retry plugin on", async () => {
    const { fake, repo, main } = await open({ retry: true });
    const head = await branchOffMain(repo, main, "policies/settings.yaml", "ours\n");
    await pushDirectly(fake, "main", "policies/settings.yaml", "theirs\n");
    await expect(repo.merge({ branch: "e", head, into: "main", message: "m\n" })).rejects.toBeInstanceOf(
      MergeConflictError,
    );
    expect(fake.log.filter((entry) => entry.path.endsWith("/merges")).map((entry) => entry.status)).toEqual([
      409,
    ]);
  });

  it("refuses a pinned merge once the branch has moved past the proven sha", async () => {
    const { fake, repo, main } = await open();
    const proven = await branchOffMain(repo, main, "policies/u.yaml", "revoke\n");
    await pushDirectly(fake, "e", "policies/grant.yaml", "grant\n");
    await expect(
      repo.merge({ branch: "e", head: proven, into: "main", message: "m\n" }),
    ).rejects.toBeInstanceOf(HeadMovedError);
    expect(await repo.head("main")).toBe(main);
    expect(fake.log.some((entry) => entry.path.endsWith("/merges"))).toBe(false);
  });
});

describe("a protected main", () => {
  it("is a refusal, not a lost race: no retry loop, and the message says what to do", async () => {
    const { fake, repo, main } = await open();
    const head = await branchOffMain(repo, main, "policies/u.yaml", "u\n");
    fake.faults.protectedBranches = new Set(["main"]);
    let attempts = 0;
    const update = retryOnHeadMoved(
      () => {
        attempts++;
        return repo.setBranch("main", head, { kind: "expect", head: main });
      },
      { baseDelayMs: 1 },
    );
    await expect(update).rejects.toMatchObject({ name: "GitHubApiError", status: 422 });
    await expect(update).rejects.toThrow(/protection rules/);
    expect(attempts).toBe(1);
    const merge = repo.merge({ branch: "e", head, into: "main", message: "m\n" });
    await expect(merge).rejects.toMatchObject({ name: "GitHubApiError", status: 409 });
    await expect(merge).rejects.toThrow(/through a pull request/);
    expect(await repo.head("main")).toBe(main);
  });
});

describe("rate limits and failures", () => {
  it("turns a secondary rate limit into GitHubRateLimitError carrying retry-after, or 60 s without it", async () => {
    const { fake, repo } = await open();
    fake.faults.rateLimit = { status: 429, retryAfterSeconds: 7, times: 1 };
    await expect(repo.head("main")).rejects.toMatchObject({
      name: "GitHubRateLimitError",
      status: 429,
      retryAfterMs: 7_000,
    });
    fake.faults.rateLimit = { status: 403, times: 1 };
    const limited = await repo.head("main").catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(GitHubRateLimitError);
    expect(limited).toMatchObject({ retryAfterMs: 60_000 });
    expect(await repo.head("main")).toBeDefined();
  });

  it("never puts the token in an error, even when the server echoes it back", async () => {
    const { fake } = await open();
    const repo = new GitHubPolicyRepo({ client: fakeClient(fake), owner: fake.owner, repo: fake.repo });
    fake.faults.echoAuthorization = true;
    const error = await repo.head("main").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitHubApiError);
    const failure = error as GitHubApiError;
    expect(failure.status).toBe(401);
    expect(failure.message).toMatch(/check the app's installation and permissions/);
    const texts = [
      failure.message,
      failure.stack,
      String(failure.cause),
      (failure.cause as Error).stack,
      JSON.stringify(failure),
    ];
    for (const text of texts) expect(text).not.toContain(TOKEN);
    expect(failure.message).toContain("[redacted]");
    const other = new GitHubPolicyRepo({ client: fakeClient(fake), owner: fake.owner, repo: "missing" });
    await expect(other.listBranches("")).rejects.toMatchObject({ name: "GitHubApiError", status: 404 });
  });

  describe("GitHub that does not answer reads as unreachable, not as its own 500", () => {
    /** Probot's client as the App builds it (retry off, so the one failure is what is seen). */
    const clientAt = (baseUrl: string) => {
      const Client = ProbotOctokit.defaults((defaults: Record<string, unknown>) => ({
        ...defaults,
        retry: { enabled: false },
        throttle: { enabled: false },
      }));
      return new Client({ auth: { token: TOKEN }, baseUrl });
    };
    const repoAt = (baseUrl: string) =>
      new GitHubPolicyRepo({ client: clientAt(baseUrl), owner: "acme", repo: "policy" });

    /** A port that was just free: connecting to it is refused. */
    const closedPort = () =>
      new Promise<number>((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
          const address = server.address();
          server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
        });
      });

    it("says so for a port fetch refuses to use ('bad port'), with no status", async () => {
      const error = await repoAt("http://127.0.0.1:1")
        .head("main")
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GitHubApiError);
      expect(error).toMatchObject({ status: undefined });
      expect((error as Error).message).toMatch(
        /^GET .*: could not reach GitHub \(bad port\); check the network/,
      );
      expect((error as Error).message).not.toMatch(/answered|installation and permissions/);
    });

    it("says so for a refused connection and for a reset one, in REST and GraphQL alike", async () => {
      const port = await closedPort();
      const refused = await repoAt(`http://127.0.0.1:${port}`)
        .head("main")
        .catch((caught: unknown) => caught);
      expect(refused).toMatchObject({ name: "GitHubApiError", status: undefined });
      expect((refused as Error).message).toMatch(/could not reach GitHub \(.*ECONNREFUSED/);

      const { fake, repo } = await open();
      fake.faults.downUntil = Date.now() + 60_000;
      const reset = await repo.head("main").catch((caught: unknown) => caught);
      expect(reset).toMatchObject({ name: "GitHubApiError", status: undefined });
      expect((reset as Error).message).toMatch(/: could not reach GitHub \(/);
      const graphql = await requestGraphql(
        fakeClient(fake),
        "viewer",
        "query { viewer { login } }",
        {},
      ).catch((caught: unknown) => caught);
      expect(graphql).toMatchObject({ name: "GitHubApiError", status: undefined });
      expect((graphql as Error).message).toMatch(/^GraphQL viewer: could not reach GitHub \(/);
      for (const error of [refused, reset, graphql]) expect(JSON.stringify(error)).not.toContain(TOKEN);
    });

    it("still reads GitHub's own 500 as an answer", async () => {
      const { fake, repo } = await open();
      fake.faults.serverError = { status: 500, times: 1 };
      const error = await repo.head("main").catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: "GitHubApiError", status: 500 });
      expect((error as Error).message).toMatch(/: GitHub answered 500 \(/);
    });
  });
});
