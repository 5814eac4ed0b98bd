import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OperationRef } from "../../../src/proposals/commit-message.js";
import { branchEmergencyHost } from "../../../src/proposals/emergency-host.js";
import { SyncPullRequest } from "../../../src/proposals/github/sync-pull-request.js";
import type { ProposerActions } from "../../../src/proposals/proposer-actions.js";
import { repositoryActions } from "../../../src/proposals/proposer-actions.js";
import { SYNC_BRANCH } from "../../../src/proposals/sync-branch.js";
import type { PullRequestHost } from "../../../src/repos/pull-request-host.js";
import { put, patch } from "../ledger-writes.js";
import { ALICE_ID, BOB_ID, ENGINEERS_ID, scimGroup, scimUser } from "../policy-fixture.js";
import type { GitHubProposals } from "./github-proposals-fixture.js";
import { openGitHubProposals } from "./github-proposals-fixture.js";

const NOW = new Date("2026-11-29T02:15:00.000Z");
const CAROL_ID = "c0ffee00-0000-4000-8000-00000000000c";
const DAVE_ID = "c0ffee00-0000-4000-8000-00000000000d";
const ERIN_ID = "c0ffee00-0000-4000-8000-00000000000e";

let world: GitHubProposals;

beforeEach(async () => {
  world = await openGitHubProposals();
});

afterEach(async () => {
  expect(world.fake.mismatches).toEqual([]);
  await world.close();
});

/** What a (re)started bot holds: fresh proposer actions and a fresh sync PR keeper. */
function startBot(pulls: PullRequestHost = world.pulls) {
  const actions: ProposerActions = repositoryActions({
    repo: world.repo,
    host: branchEmergencyHost(world.repo),
    ledger: world.ledger,
    policyDir: "policies",
    now: () => NOW,
    deletedAt: () => NOW.toISOString(),
  });
  const syncPull = new SyncPullRequest({ repo: world.repo, pulls, policyDir: "policies", now: () => NOW });
  return {
    async flush(operations: readonly OperationRef[]) {
      world.fake.log.length = 0;
      const result = await actions.commitSync(operations);
      const flushRequests = world.fake.log.length;
      world.fake.log.length = 0;
      const outcome = await syncPull.afterFlush(result);
      const requests = world.fake.log.map((entry) => `${entry.method} ${entry.path}`);
      return { result, outcome, requests, flushRequests };
    },
  };
}

const openSyncPulls = () =>
  [...world.fake.pulls.values()].filter((pull) => pull.head === SYNC_BRANCH && pull.state === "open");

describe("the sync pull request", () => {
  it("is one PR across several flushes and a restart, its title and body following the branch", async () => {
    const bot = startBot();
    const carol = await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    const joined = await put(
      world.ledger,
      "Group",
      scimGroup(ENGINEERS_ID, "payments-engineers", [ALICE_ID, BOB_ID, CAROL_ID]),
      "replace",
    );
    const first = await bot.flush([carol, joined]);
    expect(first.outcome.kind).toBe("opened");
    if (first.outcome.kind === "none") throw new Error("no PR");
    const number = first.outcome.pull.number;
    expect(first.outcome.pull).toMatchObject({
      title: "SCIM sync: +1 user, 1 group change",
      head: { branch: SYNC_BRANCH, sha: first.result.head },
      base: { branch: "main" },
    });
    const body = world.fake.pulls.get(number)?.body ?? "";
    expect(body).toContain(
      "| **carol@example.com (Carol), new** | nats | `carol@example.com` | **gains** account PAYMENTS",
    );
    expect(body).toContain(
      "`group:payments-engineers` → `payments-writer` (policies/access/payments.yaml:15)",
    );
    expect(body).toContain(`- \`SCIM-Operation: POST User ${CAROL_ID}\``);
    expect(body).toContain(`- \`SCIM-Operation: PUT Group ${ENGINEERS_ID}\``);
    // Main's policy once (git data reads), then find, open: the head's identities come from the flush.
    expect(first.requests.slice(-2)).toEqual([
      "GET /repos/acme/policy/pulls",
      "POST /repos/acme/policy/pulls",
    ]);
    expect(first.requests.slice(0, -2).every((line) => line.startsWith("GET /repos/acme/policy/git/"))).toBe(
      true,
    );
    expect(first.requests.length).toBeLessThanOrEqual(6);

    const dave = await put(world.ledger, "User", scimUser(DAVE_ID, "dave@example.com", "Dave"));
    const second = await bot.flush([dave]);
    expect(second.outcome).toMatchObject({ kind: "updated", pull: { number } });
    // It knows its PR now: the edit's answer says it is still open.
    expect(second.requests).toEqual(["PATCH /repos/acme/policy/pulls/1"]);
    // The flush's own requests: the second is main's head, the branch's head, tree, commit, ref (the
    // ancestry it knows, having built the branch on this main), before the PR's one.
    expect({ first: first.flushRequests, second: second.flushRequests }).toMatchInlineSnapshot(`
      {
        "first": 11,
        "second": 5,
      }
    `);
    expect(world.fake.pulls.get(number)?.title).toBe("SCIM sync: +2 users, 1 group change");
    expect(world.fake.pulls.get(number)?.body).toContain(`SCIM-Operation: POST User ${DAVE_ID}`);
    expect(world.fake.pulls.get(number)?.body).toContain(`SCIM-Operation: POST User ${CAROL_ID}`);

    const restarted = startBot();
    const left = await patch(world.ledger, "User", BOB_ID, { active: false });
    const third = await restarted.flush([left]);
    expect(third.outcome).toMatchObject({ kind: "updated", pull: { number } });
    expect(world.fake.pulls.get(number)?.title).toBe("SCIM sync: +2 users, −1 user, 1 group change");
    expect(world.fake.pulls.get(number)?.body).toContain("| **bob@example.com (Bob Example)");
    expect(openSyncPulls().map((pull) => pull.number)).toEqual([number]);
    expect(
      world.fake.log.filter((entry) => entry.method === "POST" && entry.path.endsWith("/pulls")),
    ).toEqual([]);
  });

  it("sends nothing when a flush leaves the branch and what it says unchanged", async () => {
    const bot = startBot();
    const carol = await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await bot.flush([carol]);
    const again = await bot.flush([]);
    expect(again.result.committed).toBe(false);
    expect(again.outcome.kind).toBe("unchanged");
    expect(again.requests).toEqual([]);
  });

  it("edits its PR directly, and opens a new one when the edit says a person closed it", async () => {
    const bot = startBot();
    const carol = await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    const first = await bot.flush([carol]);
    expect(first.outcome.kind).toBe("opened");
    const dave = await put(world.ledger, "User", scimUser(DAVE_ID, "dave@example.com", "Dave"));
    const second = await bot.flush([dave]);
    expect(second.outcome.kind).toBe("updated");
    expect(second.requests.filter((request) => request.includes("/pulls"))).toEqual([
      "PATCH /repos/acme/policy/pulls/1",
    ]);

    await world.pulls.close(1);
    const erin = await put(world.ledger, "User", scimUser(ERIN_ID, "erin@example.com", "Erin"));
    const third = await bot.flush([erin]);
    expect(third.outcome).toMatchObject({
      kind: "opened",
      pull: { number: 2, title: "SCIM sync: +3 users" },
    });
    expect(openSyncPulls().map((pull) => pull.number)).toEqual([2]);
  });

  it("opens nothing when main already holds everything and the branch was deleted", async () => {
    const bot = startBot();
    const nothing = await bot.flush([]);
    expect(nothing.result.head).toBeUndefined();
    expect(nothing.outcome).toEqual({ kind: "none" });
    expect(nothing.requests).toEqual([]);
    expect(world.fake.pulls.size).toBe(0);
  });

  it("takes over the PR another instance opened first (GitHub's 422), instead of opening a second", async () => {
    // A second bot instance opens the sync PR between this one's look and its open: a real race.
    let raced = false;
    const racing: PullRequestHost = Object.create(world.pulls, {
      findOpen: {
        value: async (head: string) => {
          const found = await world.pulls.findOpen(head);
          if (!raced && found === undefined) {
            raced = true;
            await world.pulls.open({ head, base: "main", title: "opened by the other instance", body: "" });
          }
          return found;
        },
      },
    }) as PullRequestHost;
    const bot = startBot(racing);
    const carol = await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    const { outcome } = await bot.flush([carol]);
    expect(outcome).toMatchObject({ kind: "updated", pull: { number: 1, title: "SCIM sync: +1 user" } });
    expect(
      world.fake.log.filter((entry) => entry.path.endsWith("/pulls")).map((e) => `${e.method} ${e.status}`),
    ).toEqual(["GET 200", "POST 201", "POST 422", "GET 200"]);
    expect(openSyncPulls()).toHaveLength(1);
  });
});
