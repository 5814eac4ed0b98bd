/**
 * The proposer drives the sync pull request itself in GitHub mode: `afterSync` runs after every flush, so
 * SCIM writes arriving over time keep one PR up to date, and a PR update that fails costs nothing already
 * committed (the next flush brings the PR up to date).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SyncPullRequest } from "../../../src/proposals/github/sync-pull-request.js";
import { startProposer, type Proposer } from "../../../src/proposals/proposer.js";
import { SYNC_BRANCH, type SyncResult } from "../../../src/proposals/sync-branch.js";
import { put } from "../ledger-writes.js";
import { scimUser } from "../policy-fixture.js";
import type { GitHubProposals } from "./github-proposals-fixture.js";
import { openGitHubProposals } from "./github-proposals-fixture.js";

const NOW = new Date("2026-11-29T02:15:00.000Z");
const CAROL_ID = "c0ffee00-0000-4000-8000-00000000000c";
const DAVE_ID = "c0ffee00-0000-4000-8000-00000000000d";

let world: GitHubProposals;
let proposer: Proposer | undefined;

beforeEach(async () => {
  world = await openGitHubProposals();
});

afterEach(async () => {
  await proposer?.close();
  proposer = undefined;
  expect(world.fake.mismatches).toEqual([]);
  await world.close();
});

/** A proposer on the fake's repository whose afterSync is `afterSync`; its warnings are collected. */
function startWith(afterSync: (syncPull: SyncPullRequest) => (result: SyncResult) => Promise<void>) {
  const syncPull = new SyncPullRequest({
    repo: world.repo,
    pulls: world.pulls,
    policyDir: "policies",
    now: () => NOW,
  });
  const warnings: string[] = [];
  proposer = startProposer({
    ledger: world.ledger,
    repo: world.repo,
    now: () => NOW,
    watchMainMs: 0,
    afterSync: afterSync(syncPull),
    log: { info() {}, warn: (line) => warnings.push(line), error() {} },
  });
  return { proposer, warnings };
}

const openSyncPulls = () =>
  [...world.fake.pulls.values()].filter((pull) => pull.head === SYNC_BRANCH && pull.state === "open");

describe("the proposer with the sync pull request", () => {
  it("opens one PR on the first flush and updates it on the next", async () => {
    const { proposer, warnings } = startWith((syncPull) => async (result) => {
      await syncPull.afterFlush(result);
    });
    await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await proposer.flush();
    expect(openSyncPulls()).toHaveLength(1);
    expect(openSyncPulls()[0]?.title).toBe("SCIM sync: +1 user");

    await put(world.ledger, "User", scimUser(DAVE_ID, "dave@example.com", "Dave"));
    await proposer.flush();
    const pulls = openSyncPulls();
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.title).toBe("SCIM sync: +2 users");
    expect(warnings).toEqual([]);
  });

  it("keeps the commit when the PR step fails, and catches the PR up on the next flush", async () => {
    let failNext = true;
    const { proposer, warnings } = startWith((syncPull) => async (result) => {
      if (failNext) {
        failNext = false;
        throw new Error("GitHub answered 502");
      }
      await syncPull.afterFlush(result);
    });
    await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await proposer.flush();
    expect(await world.repo.head(SYNC_BRANCH)).toBeDefined();
    expect(openSyncPulls()).toHaveLength(0);
    expect(warnings.join("\n")).toContain("GitHub answered 502; the next flush tries again");
    expect(proposer.state().flushFailures).toBe(0);

    await put(world.ledger, "User", scimUser(DAVE_ID, "dave@example.com", "Dave"));
    await proposer.flush();
    expect(openSyncPulls().map((pull) => pull.title)).toEqual(["SCIM sync: +2 users"]);
  });
});
