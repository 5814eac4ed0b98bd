import { rm } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { Proposer } from "../../src/proposals/proposer.js";
import { startProposer } from "../../src/proposals/proposer.js";
import { SYNC_BRANCH } from "../../src/proposals/sync-branch.js";
import type { Fixture } from "./policy-fixture.js";
import {
  ALICE_ID,
  BOB_ID,
  ENGINEERS_ID,
  READONLY_ID,
  makeFixture,
  scimGroup,
  scimUser,
} from "./policy-fixture.js";
import { patch, put } from "./ledger-writes.js";

const NOW = new Date("2026-11-29T02:15:00.000Z");
const CAROL_ID = "c0ffee00-0000-4000-8000-00000000000c";
const STAFF = Array.from(
  { length: 20 },
  (_, index) => `5eed0000-0000-4000-8000-${String(index).padStart(12, "0")}`,
);

let fixture: Fixture;
let proposer: Proposer | undefined;

const start = () => {
  proposer = startProposer({
    ledger: fixture.ledger,
    repo: fixture.repo,
    debounceMs: 60_000,
    maxWaitMs: 60_000,
    watchMainMs: 0,
    now: () => NOW,
  });
  return proposer;
};

afterEach(async () => {
  await proposer?.close();
  proposer = undefined;
  await fixture.ledger.close();
  await rm(fixture.scratch, { recursive: true, force: true });
});

/** 22 people in payments-engineers on main (Alice, Bob and 20 staff), as a person merging the sync PR leaves it. */
async function staffOnMain(): Promise<void> {
  const p = start();
  for (const [index, id] of STAFF.entries()) {
    await put(fixture.ledger, "User", scimUser(id, `staff${index}@example.com`, `Staff ${index}`));
  }
  await put(
    fixture.ledger,
    "Group",
    scimGroup(ENGINEERS_ID, "payments-engineers", [ALICE_ID, BOB_ID, ...STAFF]),
    "replace",
  );
  await p.flush();
  const head = (await fixture.repo.head(SYNC_BRANCH)) ?? "";
  await fixture.repo.merge({ branch: SYNC_BRANCH, head, into: "main", message: "Merge sync\n" });
  await p.close();
  proposer = undefined;
}

describe("emergencies in batches", () => {
  it("revokes deactivations waiting together in one proof and one merge naming each operation", async () => {
    fixture = await makeFixture();
    await staffOnMain();
    const before = (await fixture.repo.head("main")) ?? "";
    const changes = await Promise.all(
      STAFF.slice(0, 4).map((id) => patch(fixture.ledger, "User", id, { active: false })),
    );
    const p = start();
    await p.flush();

    expect(p.state().emergencies).toMatchObject({ merged: 1, mergedCases: 4, queued: 0 });
    const merge = await fixture.repo.readCommit((await fixture.repo.head("main")) ?? "");
    expect(merge.parents[0]).toBe(before);
    expect(merge.message).toMatch(/^Emergency deprovision: 4 people \(deactivated\)/);
    expect(merge.message).toContain(
      "Merge scim-gitops/emergency/batch-4-cases-4-people-20261129T021500Z at ",
    );
    for (const id of STAFF.slice(0, 4))
      expect(merge.message).toContain(`SCIM-Recovered: User ${id} found at start-up`);
    for (const index of [0, 1, 2, 3]) {
      expect(
        await fixture.repo.readFile("main", `policies/identities/users/staff${index}-example-com.yaml`),
      ).toContain("active: false\n");
    }
    expect(changes).toHaveLength(4);

    const live = await Promise.all(
      STAFF.slice(4, 7).map((id) => patch(fixture.ledger, "User", id, { active: false })),
    );
    await expect.poll(() => p.state().emergencies.mergedCases, { timeout: 5_000 }).toBe(7);
    expect(p.state().emergencies.merged).toBeLessThanOrEqual(3);
    const messages = [];
    for (let sha = (await fixture.repo.head("main")) ?? ""; sha !== merge.sha;) {
      const commit = await fixture.repo.readCommit(sha);
      messages.push(commit.message);
      sha = commit.parents[0] ?? merge.sha;
    }
    for (const change of live)
      expect(messages.join("\n")).toContain(`SCIM-Operation: PATCH User ${change.id}\n`);
  });

  it("holds a batch above the mass-revocation guard for review, says why, and still merges later leavers", async () => {
    fixture = await makeFixture();
    await staffOnMain();
    const before = await fixture.repo.head("main");
    await Promise.all(STAFF.slice(0, 8).map((id) => patch(fixture.ledger, "User", id, { active: false })));
    const lines: string[] = [];
    proposer = startProposer({
      ledger: fixture.ledger,
      repo: fixture.repo,
      debounceMs: 60_000,
      watchMainMs: 0,
      now: () => NOW,
      log: {
        info: (line) => lines.push(line),
        warn: (line) => lines.push(line),
        error: (line) => lines.push(line),
      },
    });
    const p = proposer;
    await p.flush();

    expect(await fixture.repo.head("main")).toBe(before);
    const reason =
      "held for review: 8 of 22 nats principals holding access would lose some or all of it, above the " +
      "mass-revocation guard (at most 5: guards.maxRevocations 25%, guards.minRevocations 5); " +
      "if the identity provider meant it, merge the branch";
    expect(p.state().emergencies).toMatchObject({ held: 1, merged: 0, queued: 0, lastHeld: { reason } });
    const [held] = await fixture.repo.listBranches("scim-gitops/emergency/");
    expect(held?.branch).toBe("scim-gitops/emergency/batch-8-cases-8-people-20261129T021500Z");
    expect((await fixture.repo.readCommit(held?.head ?? "")).message).toContain(`Not merged: ${reason}.`);
    expect(lines.some((line) => line.includes("held") && line.includes(reason))).toBe(true);

    await patch(fixture.ledger, "User", ALICE_ID, { active: false });
    await expect.poll(() => p.state().emergencies.merged, { timeout: 5_000 }).toBe(1);
    expect(await fixture.repo.readFile("main", "policies/identities/users/alice-example-com.yaml")).toContain(
      "active: false\n",
    );
    expect(p.state().emergencies.held).toBe(1);
  });
});

describe("the sync branch's audit trail", () => {
  it("names, after an emergency merge, every operation the rebuilt commit still carries", async () => {
    fixture = await makeFixture();
    const p = start();
    await p.flush();
    const carol = await put(fixture.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    const readonly = await put(
      fixture.ledger,
      "Group",
      scimGroup(READONLY_ID, "payments-readonly", [ALICE_ID, CAROL_ID]),
      "replace",
    );
    await p.flush();
    const leaving = await patch(fixture.ledger, "User", ALICE_ID, {
      active: false,
      displayName: "Alice (left)",
    });
    await expect.poll(() => p.state().emergencies.merged, { timeout: 5_000 }).toBe(1);
    await p.flush();

    const main = (await fixture.repo.head("main")) ?? "";
    const rebuilt = await fixture.repo.readCommit((await fixture.repo.head(SYNC_BRANCH)) ?? "");
    expect(rebuilt.parents).toEqual([main]);
    expect(rebuilt.message).toContain(`SCIM-Operation: POST User ${carol.id}\n`);
    expect(rebuilt.message).toContain(`SCIM-Operation: PUT Group ${readonly.id}\n`);
    expect(rebuilt.message).toContain(`SCIM-Operation: PATCH User ${leaving.id}\n`);
    expect(rebuilt.message).toContain(`SCIM-Seq: ${carol.seq}..${leaving.seq}\n`);
  });

  it("names an identity changed while no proposer ran, instead of an anonymous rebuild", async () => {
    fixture = await makeFixture();
    await put(fixture.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await start().flush();
    const commit = await fixture.repo.readCommit((await fixture.repo.head(SYNC_BRANCH)) ?? "");
    expect(commit.message).toMatch(/^Sync 1 identity changed before a restart\n/);
    expect(commit.message).toContain(`SCIM-Recovered: User ${CAROL_ID} changed before a restart\n`);
  });
});
