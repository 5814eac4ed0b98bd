import { rm } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { Proposer } from "../../src/proposals/proposer.js";
import { startProposer } from "../../src/proposals/proposer.js";
import { SYNC_BRANCH } from "../../src/proposals/sync-branch.js";
import type { Fixture, FixtureOptions } from "./policy-fixture.js";
import { ALICE_ID, BOB_ID, READONLY_ID, makeFixture, scimGroup, scimUser } from "./policy-fixture.js";
import { put, patch, remove } from "./ledger-writes.js";

const NOW = new Date("2026-11-29T02:15:00.000Z");
const CAROL_ID = "c0ffee00-0000-4000-8000-00000000000c";

let fixture: Fixture;
let proposer: Proposer | undefined;

/** A debounce far longer than any test: whatever reaches main did so without waiting for it. */
async function startWith(options: FixtureOptions = {}) {
  fixture = await makeFixture(options);
  proposer = startProposer({
    ledger: fixture.ledger,
    repo: fixture.repo,
    debounceMs: 60_000,
    maxWaitMs: 60_000,
    watchMainMs: 0,
    now: () => NOW,
  });
  await proposer.flush();
  return proposer;
}

const mainFile = (path: string) => fixture.repo.readFile("main", `policies/identities/${path}`);

afterEach(async () => {
  await proposer?.close();
  proposer = undefined;
  await fixture.ledger.close();
  await rm(fixture.scratch, { recursive: true, force: true });
});

describe("the emergency path", () => {
  it("merges a deactivation into main at once, pinned, with trailers, and rebuilds the sync branch", async () => {
    const p = await startWith();
    const moves: string[] = [];
    p.onMainMoved((head) => moves.push(head));
    const before = (await fixture.repo.head("main")) ?? "";
    await put(fixture.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    const change = await patch(fixture.ledger, "User", ALICE_ID, {
      active: false,
      displayName: "Alice (left)",
    });

    await expect.poll(() => p.state().emergencies.merged, { timeout: 5_000 }).toBe(1);
    expect(p.state().emergencies.lastMs).toBeLessThan(2_000);
    const main = (await fixture.repo.head("main")) ?? "";
    const merge = await fixture.repo.readCommit(main);
    expect(merge.parents[0]).toBe(before);
    expect(merge.message).toMatch(/^Emergency deprovision: alice@example.com \(deactivated\)/);
    expect(merge.message).toContain(`SCIM-Operation: PATCH User ${ALICE_ID}\nSCIM-Seq: ${change.seq}\n`);
    expect(merge.message).toContain("Revocation-Only: proven");
    const branchCommit = await fixture.repo.readCommit(merge.parents[1] ?? "");
    expect(merge.message).toContain(
      `Merge scim-gitops/emergency/alice-example-com-20261129T021500Z at ${branchCommit.sha}`,
    );

    const alice = await mainFile("users/alice-example-com.yaml");
    expect(alice).toContain("active: false\n");
    expect(alice).toContain("displayName: Alice Example\n");
    expect(alice).toContain("# Alice leads the payments team");
    expect(await mainFile("users/carol-example-com.yaml")).toBeUndefined();
    expect(await fixture.repo.listBranches("scim-gitops/emergency/")).toEqual([]);
    expect(moves).toEqual([main]);

    await p.flush();
    const sync = (await fixture.repo.head(SYNC_BRANCH)) ?? "";
    expect(await fixture.repo.isAncestor(main, sync)).toBe(true);
    const syncAlice = await fixture.repo.readFile(
      SYNC_BRANCH,
      "policies/identities/users/alice-example-com.yaml",
    );
    expect(syncAlice).toContain("displayName: Alice (left)\n");
    expect(syncAlice).toContain("active: false\n");
    expect(
      await fixture.repo.readFile(SYNC_BRANCH, "policies/identities/users/carol-example-com.yaml"),
    ).toContain("userName: carol@example.com");
  });

  it("merges a deletion as a tombstone on main", async () => {
    const p = await startWith();
    await remove(fixture.ledger, "User", BOB_ID);
    await expect.poll(() => p.state().emergencies.merged, { timeout: 5_000 }).toBe(1);
    const bob = await mainFile("users/bob-example-com.yaml");
    expect(bob).toContain("active: false\n");
    expect(bob).toContain("deleted: 2026-11-29T02:15:00.000Z\n");
    const message = (await fixture.repo.readCommit((await fixture.repo.head("main")) ?? "")).message;
    expect(message).toContain(`SCIM-Operation: DELETE User ${BOB_ID}`);
    expect(message).toContain("SCIM-Emergency: deleted");
  });

  it("leaves a proven branch unmerged when emergency.merge is off", async () => {
    const p = await startWith({ merge: "off" });
    const before = await fixture.repo.head("main");
    await patch(fixture.ledger, "User", ALICE_ID, { active: false });
    await expect.poll(() => p.state().emergencies.unmerged, { timeout: 5_000 }).toBe(1);
    expect(await fixture.repo.head("main")).toBe(before);
    const branches = await fixture.repo.listBranches("scim-gitops/emergency/");
    expect(branches.map((b) => b.branch)).toEqual([
      "scim-gitops/emergency/alice-example-com-20261129T021500Z",
    ]);
    const onBranch = await fixture.repo.readFile(
      branches[0]?.head ?? "",
      "policies/identities/users/alice-example-com.yaml",
    );
    expect(onBranch).toContain("active: false\n");
  });

  it("opens no second branch for a case an unmerged branch holds when the proposer restarts", async () => {
    const p = await startWith({ merge: "off" });
    await patch(fixture.ledger, "User", ALICE_ID, { active: false });
    await expect.poll(() => p.state().emergencies.unmerged, { timeout: 5_000 }).toBe(1);
    const [left] = await fixture.repo.listBranches("scim-gitops/emergency/");
    expect((await fixture.repo.readCommit(left?.head ?? "")).message).toContain(
      "Not merged: emergency.merge is off, so a person merges it.",
    );
    await p.close();
    const warnings: string[] = [];
    proposer = startProposer({
      ledger: fixture.ledger,
      repo: fixture.repo,
      debounceMs: 60_000,
      watchMainMs: 0,
      now: () => new Date("2026-11-29T03:00:00.000Z"),
      log: { info() {}, warn: (line) => warnings.push(line), error: (line) => warnings.push(line) },
    });
    await proposer.flush();
    expect(await fixture.repo.listBranches("scim-gitops/emergency/")).toEqual([left]);
    expect(proposer.state().emergencies).toMatchObject({ queued: 0, unmerged: 0 });
    expect(warnings.join("\n")).toContain("1 kept");
  });

  it("never merges a change that grants: leaving a group that carried a deny widens access", async () => {
    const p = await startWith({ triggers: "[deactivated, deleted, removed-from-group]" });
    const before = await fixture.repo.head("main");
    await put(fixture.ledger, "Group", scimGroup(READONLY_ID, "payments-readonly", []), "replace");
    await expect.poll(() => p.state().emergencies.refused, { timeout: 5_000 }).toBe(1);
    expect(await fixture.repo.head("main")).toBe(before);
    const [branch] = await fixture.repo.listBranches("scim-gitops/emergency/");
    expect(branch?.branch).toBe("scim-gitops/emergency/payments-readonly-20261129T021500Z");
    expect(
      await fixture.repo.readFile(branch?.head ?? "", "policies/identities/groups/payments-readonly.yaml"),
    ).toContain("members: []");
    expect(p.state().emergencies.last).toMatchObject({
      status: "refused",
      branch: branch?.branch,
      reason: "not merged: it grants 1 permission(s) to 1 person(s); a person must review it",
    });
  });

  it("merges leaving a group when that only narrows access", async () => {
    const p = await startWith({ triggers: "[removed-from-group]" });
    await put(
      fixture.ledger,
      "Group",
      scimGroup(READONLY_ID, "payments-readonly", [ALICE_ID, BOB_ID]),
      "replace",
    );
    await patch(fixture.ledger, "Group", "7e1c1f0a-0000-4000-8000-000000000001", {
      members: [{ value: ALICE_ID }],
    });
    await expect.poll(() => p.state().emergencies.merged, { timeout: 5_000 }).toBe(1);
    const engineers = await mainFile("groups/payments-engineers.yaml");
    expect(engineers).toContain("  - alice@example.com\n");
    expect(engineers).not.toContain("bob@example.com");
    expect(await mainFile("groups/payments-readonly.yaml")).not.toContain("bob@example.com");
  });

  it("does nothing on main for a user main never granted anything, and ignores non-triggers", async () => {
    const p = await startWith({ triggers: "[deleted]" });
    const before = await fixture.repo.head("main");
    await put(fixture.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await patch(fixture.ledger, "User", CAROL_ID, { active: false });
    await patch(fixture.ledger, "User", ALICE_ID, { active: false });
    await p.flush();
    expect(p.state().emergencies).toMatchObject({ merged: 0, skipped: 0 });
    await remove(fixture.ledger, "User", CAROL_ID);
    await p.flush();
    expect(p.state().emergencies).toMatchObject({ merged: 0, skipped: 1 });
    expect(await fixture.repo.head("main")).toBe(before);
    expect(await fixture.repo.listBranches("scim-gitops/emergency/")).toEqual([]);
  });
});

describe("races", () => {
  it("starts again from the new main when a person pushes between the proof and the merge", async () => {
    fixture = await makeFixture();
    const repo = fixture.repo;
    let pushed: string | undefined;
    const racing = new Proxy(repo, {
      get(target, property, receiver) {
        if (property !== "merge") return Reflect.get(target, property, receiver) as unknown;
        return async (request: Parameters<typeof repo.merge>[0]) => {
          if (pushed === undefined) {
            const head = (await repo.head("main")) ?? "";
            pushed = await repo.commitFiles({
              branch: "main",
              parent: head,
              changes: [{ path: "policies/access/notes.yaml", content: "roles: {}\n" }],
              message: "A person's change\n",
              update: { kind: "expect", head },
            });
          }
          return repo.merge(request);
        };
      },
    });
    proposer = startProposer({
      ledger: fixture.ledger,
      repo: racing,
      debounceMs: 60_000,
      watchMainMs: 0,
      now: () => NOW,
    });
    await proposer.flush();
    await patch(fixture.ledger, "User", ALICE_ID, { active: false });
    const p = proposer;
    await expect.poll(() => p.state().emergencies.merged, { timeout: 5_000 }).toBe(1);
    const merge = await repo.readCommit((await repo.head("main")) ?? "");
    expect(merge.parents[0]).toBe(pushed);
    expect(await mainFile("users/alice-example-com.yaml")).toContain("active: false\n");
    expect(await repo.readFile("main", "policies/access/notes.yaml")).toBe("roles: {}\n");
    expect(await repo.listBranches("scim-gitops/emergency/")).toEqual([]);
  });
});

describe("restarts", () => {
  it("revokes at start a deactivation acknowledged while no proposer ran", async () => {
    fixture = await makeFixture();
    await patch(fixture.ledger, "User", ALICE_ID, { active: false });
    proposer = startProposer({ ledger: fixture.ledger, repo: fixture.repo, watchMainMs: 0, now: () => NOW });
    await proposer.flush();
    expect(proposer.state().emergencies.merged).toBe(1);
    expect(await mainFile("users/alice-example-com.yaml")).toContain("active: false\n");
    const message = (await fixture.repo.readCommit((await fixture.repo.head("main")) ?? "")).message;
    expect(message).toContain(`SCIM-Recovered: User ${ALICE_ID} found at start-up`);
    expect(await fixture.repo.head(SYNC_BRANCH)).toBeUndefined();
  });
});
