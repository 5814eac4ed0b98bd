import { rm } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { Proposer } from "../../src/proposals/proposer.js";
import { startProposer } from "../../src/proposals/proposer.js";
import { SYNC_BRANCH } from "../../src/proposals/sync-branch.js";
import type { Fixture } from "./policy-fixture.js";
import { ALICE_ID, BOB_ID, ENGINEERS_ID, makeFixture, scimGroup, scimUser } from "./policy-fixture.js";
import { put, patch, remove } from "./ledger-writes.js";

const CAROL_ID = "c0ffee00-0000-4000-8000-00000000000c";
const NOW = new Date("2026-11-29T02:15:00.000Z");

let fixture: Fixture;
let proposer: Proposer | undefined;

const start = (overrides: Partial<Parameters<typeof startProposer>[0]> = {}) => {
  proposer = startProposer({
    ledger: fixture.ledger,
    repo: fixture.repo,
    debounceMs: 30,
    watchMainMs: 0,
    now: () => NOW,
    ...overrides,
  });
  return proposer;
};

const syncFile = async (path: string) => fixture.repo.readFile(SYNC_BRANCH, `policies/identities/${path}`);

afterEach(async () => {
  await proposer?.close();
  proposer = undefined;
  await fixture.ledger.close();
  await rm(fixture.scratch, { recursive: true, force: true });
});

describe("the sync branch", () => {
  it("does not exist while main already says what the ledger says", async () => {
    fixture = await makeFixture();
    await start().flush();
    expect(await fixture.repo.head(SYNC_BRANCH)).toBeUndefined();
    expect(proposer?.state()).toMatchObject({ pendingChanges: 0, syncPendingFiles: 0, flushes: 1 });
  });

  it("gets one commit on main holding a batch of changes, with trailers naming each operation", async () => {
    fixture = await makeFixture();
    // Wide enough that three journal fsyncs on a busy machine still fall inside one debounce window.
    const p = start({ debounceMs: 1_000 });
    await p.flush();
    const first = await put(
      fixture.ledger,
      "User",
      scimUser(CAROL_ID, "Carol.Jones@Example.com", "Carol Jones"),
    );
    await put(
      fixture.ledger,
      "Group",
      scimGroup(ENGINEERS_ID, "payments-engineers", [ALICE_ID, BOB_ID, CAROL_ID]),
      "replace",
    );
    await patch(fixture.ledger, "User", BOB_ID, { displayName: "Robert Example" });
    await expect.poll(() => p.state().syncCommits, { timeout: 3_000 }).toBe(1);

    const head = (await fixture.repo.head(SYNC_BRANCH)) ?? "";
    const commit = await fixture.repo.readCommit(head);
    expect(commit.parents).toEqual([await fixture.repo.head("main")]);
    expect(commit.message).toContain(`SCIM-Operation: POST User ${CAROL_ID}`);
    expect(commit.message).toContain(`SCIM-Operation: PUT Group ${ENGINEERS_ID}`);
    expect(commit.message).toContain(`SCIM-Operation: PATCH User ${BOB_ID}`);
    expect(commit.message).toContain(`SCIM-Seq: ${first.seq}..${first.seq + 2}`);

    expect(await syncFile("users/carol-jones-example-com.yaml")).toBe(
      [
        `id: ${CAROL_ID}`,
        "userName: Carol.Jones@Example.com",
        "displayName: Carol Jones",
        "active: true",
        "emails:",
        "  - Carol.Jones@Example.com",
        "",
      ].join("\n"),
    );
    expect(await syncFile("groups/payments-engineers.yaml")).toContain(
      "members:\n  - Carol.Jones@Example.com\n  - alice@example.com\n  - bob@example.com\n",
    );
    expect(await syncFile("users/bob-example-com.yaml")).toContain("displayName: Robert Example\n");
    expect(p.state()).toMatchObject({ pendingChanges: 0, syncPendingFiles: 3 });
  });

  it("adds a commit per later batch, and a restarted proposer re-renders to the same files", async () => {
    fixture = await makeFixture();
    const p = start();
    await put(fixture.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await p.flush();
    const firstHead = await fixture.repo.head(SYNC_BRANCH);
    await patch(fixture.ledger, "User", CAROL_ID, { displayName: "Carol Jones" });
    await p.flush();
    const secondHead = (await fixture.repo.head(SYNC_BRANCH)) ?? "";
    expect((await fixture.repo.readCommit(secondHead)).parents).toEqual([firstHead]);
    await p.close();

    const restarted = start();
    await restarted.flush();
    expect(await fixture.repo.head(SYNC_BRANCH)).toBe(secondHead);
  });

  it("keeps a renamed user's file name and records the former userName", async () => {
    fixture = await makeFixture();
    const p = start();
    await patch(fixture.ledger, "User", ALICE_ID, { userName: "alice.smith@example.com" });
    await p.flush();
    const text = await syncFile("users/alice-example-com.yaml");
    expect(text).toContain("# Alice leads the payments team");
    expect(text).toContain("userName: alice.smith@example.com");
    expect(text).toContain("formerUserNames:\n  - alice@example.com");
    expect(await syncFile("groups/payments-engineers.yaml")).toContain("  - alice.smith@example.com\n");
    expect(await fixture.repo.listBranches("scim-gitops/")).toHaveLength(1);
  });

  it("turns a deleted user into a tombstone and removes a deleted group's file", async () => {
    fixture = await makeFixture({ triggers: "[]" });
    const p = start();
    await remove(fixture.ledger, "User", BOB_ID);
    await remove(fixture.ledger, "Group", ENGINEERS_ID);
    await p.flush();
    const tombstone = await syncFile("users/bob-example-com.yaml");
    expect(tombstone).toContain("active: false\n");
    expect(tombstone).toContain("deleted: 2026-11-29T02:15:00.000Z\n");
    expect(tombstone).toContain("userName: bob@example.com\n");
    expect(await syncFile("groups/payments-engineers.yaml")).toBeUndefined();
    expect(await syncFile("groups/payments-readonly.yaml")).toContain("alice@example.com");
  });

  it("is deleted once main holds everything it proposed (a person merged it)", async () => {
    fixture = await makeFixture();
    const p = start();
    await put(fixture.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await p.flush();
    const head = (await fixture.repo.head(SYNC_BRANCH)) ?? "";
    await fixture.repo.merge({ branch: SYNC_BRANCH, head, into: "main", message: "Merge sync\n" });
    await p.flush();
    expect(await fixture.repo.head(SYNC_BRANCH)).toBeUndefined();
    expect(p.state().mainMoves).toBe(1);
  });
});

describe("main moving, told by a push webhook", () => {
  it("rebuilds the sync branch on the new main at once, with polling off", async () => {
    fixture = await makeFixture();
    const p = start({ debounceMs: 60_000, maxWaitMs: 60_000 });
    await put(fixture.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await p.flush();
    const main = (await fixture.repo.head("main")) ?? "";
    const flushes = p.state().flushes;
    const moved = new Promise<string>((resolve) => p.onMainMoved(resolve));
    const person = await fixture.repo.commitFiles({
      branch: "main",
      parent: main,
      changes: [{ path: "policies/README.md", content: "A person's edit.\n" }],
      message: "docs: a person's edit\n",
      update: { kind: "expect", head: main },
    });
    for (let call = 0; call < 5; call++) p.mainMayHaveMoved();
    expect(await moved).toBe(person);
    const sync = await fixture.repo.readCommit((await fixture.repo.head(SYNC_BRANCH)) ?? "");
    expect(sync.parents).toEqual([person]);
    // Five webhooks, one look and one rebuild.
    expect(p.state()).toMatchObject({ mainMoves: 1, flushes: flushes + 1 });
  });
});

describe("failures", () => {
  it("reports a failed flush in state, keeps the changes pending, and recovers once the repository does", async () => {
    fixture = await makeFixture();
    const p = start();
    await p.flush();
    const main = (await fixture.repo.head("main")) ?? "";
    await fixture.repo.deleteBranch("main");
    await put(fixture.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await expect(p.flush()).rejects.toThrow(/main does not exist in the policy repository/);
    expect(p.state()).toMatchObject({ pendingChanges: 1, flushFailures: 1 });
    expect(p.state().lastError).toMatch(/^sync flush: /);

    await fixture.repo.setBranch("main", main, { kind: "create" });
    await p.flush();
    expect(p.state()).toMatchObject({ pendingChanges: 0 });
    expect(p.state().lastError).toBeUndefined();
    expect(await fixture.repo.readCommit((await fixture.repo.head(SYNC_BRANCH)) ?? "")).toMatchObject({
      message: expect.stringContaining(`SCIM-Operation: POST User ${CAROL_ID}`) as unknown,
    });
  });
});
