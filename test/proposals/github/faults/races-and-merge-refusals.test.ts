/**
 * Lost races and refused merges against the fake: a 422 when the emergency branch's name is taken between
 * the look and the create, main moving under a sync flush, and GitHub's 405 and 409 on the emergency merge.
 * Each is read for what it means (a lost race re-reads and re-applies; a 405 waits on the branch rules; a
 * 409 re-proposes on the moved head), never retried blindly, and the end state is consistent.
 */
import { afterEach, describe, expect, it } from "vitest";
import { REVOCATION_GUARD_CHECK } from "../../../../src/proposals/github/pull-request-checks.js";
import { SYNC_BRANCH } from "../../../../src/proposals/sync-branch.js";
import { pushDirectly } from "../../../repos/github/github-fixture.js";
import { patch, put } from "../../ledger-writes.js";
import { ALICE_ID, scimUser } from "../../policy-fixture.js";
import type { FaultWorld } from "./faults-fixture.js";
import { emergencyPulls, expectConsistent, openFaultWorld, settle } from "./faults-fixture.js";

const CAROL_ID = "c0ffee00-0000-4000-8000-00000000000c";
const ALICE_FILE = "policies/identities/users/alice-example-com.yaml";
const ALICE_BRANCH = "scim-gitops/emergency/alice-example-com-20261129T021500Z";

let world: FaultWorld;

afterEach(async () => {
  await world.proposer.close();
  await world.close();
});

const requireGuard = {
  rules: (fake: FaultWorld["fake"]) =>
    fake.state.rules.set("main", { requiredChecks: [REVOCATION_GUARD_CHECK] }),
};
const merges = () =>
  world.fake.log.filter((entry) => entry.method === "PUT" && entry.path.endsWith("/merge"));

describe("422 races", () => {
  it("re-proposes under a fresh name when another writer takes the emergency branch's name first", async () => {
    world = await openFaultWorld(requireGuard);
    let racer: string | undefined;
    world.fake.faults.beforeRequest = async (method, path) => {
      if (racer !== undefined || method !== "POST" || !path.endsWith("/git/refs")) return;
      racer = world.main;
      await world.fake.store.updateRef(`refs/heads/${ALICE_BRANCH}`, world.main, "0".repeat(40));
    };
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await settle(world.proposer);

    const refs = world.fake.log.filter(
      (entry) => entry.method === "POST" && entry.path.endsWith("/git/refs"),
    );
    expect(refs.map((entry) => entry.status).slice(0, 2)).toEqual([422, 201]);
    const { merged, open } = emergencyPulls(world.fake);
    expect(merged.map((pull) => pull.head)).toEqual([`${ALICE_BRANCH}-2`]);
    expect(open).toEqual([]);
    expect(await world.repo.readFile("main", ALICE_FILE)).toContain("active: false");
    await expectConsistent(world);
  });

  it("rebuilds the sync branch on main when a person's push lands while a flush writes", async () => {
    world = await openFaultWorld();
    let pushed: string | undefined;
    world.fake.faults.beforeRefUpdate = async () => {
      pushed = await pushDirectly(world.fake, "main", "policies/README.md", "A person's edit.\n");
    };
    await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await settle(world.proposer);
    expect(pushed).toBeDefined();
    // The push webhook for the person's commit.
    world.proposer.mainMayHaveMoved();
    await expect
      .poll(async () => (await world.repo.readCommit((await world.repo.head(SYNC_BRANCH)) ?? "")).parents, {
        timeout: 10_000,
      })
      .toEqual([pushed]);
    await settle(world.proposer);
    await expectConsistent(world);
  });
});

describe("405 and 409 on the emergency merge", () => {
  it("405: arms auto-merge instead of asking again, and merges directly once GitHub says it is mergeable", async () => {
    world = await openFaultWorld(requireGuard);
    world.fake.faults.mergeRefusal = { status: 405, times: 1 };
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await settle(world.proposer);
    expect(merges().map((entry) => entry.status)).toEqual([405, 200]);
    const graphql = world.fake.log.filter((entry) => entry.path === "/graphql");
    expect(graphql).toHaveLength(1);
    const { merged, open } = emergencyPulls(world.fake);
    expect(merged).toHaveLength(1);
    expect(open).toEqual([]);
    await expectConsistent(world);
  });

  it("405 that persists: the PR waits, armed, for the branch rules; it is not merged or reopened", async () => {
    world = await openFaultWorld({
      rules: (fake) => fake.state.rules.set("main", { requiredChecks: [REVOCATION_GUARD_CHECK, "plan"] }),
    });
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await settle(world.proposer);
    expect(merges().map((entry) => entry.status)).toEqual([405]);
    const { merged, open } = emergencyPulls(world.fake);
    expect(merged).toEqual([]);
    expect(open).toHaveLength(1);
    expect(open[0]?.autoMerge).toBeDefined();
    expect(world.proposer.state().emergencies).toMatchObject({ unmerged: 1, failed: 0, queued: 0 });
    await expectConsistent(world);
  });

  it("409: the proposal is discarded and made again on the branch as it is now, then merged once", async () => {
    world = await openFaultWorld(requireGuard);
    world.fake.faults.mergeRefusal = { status: 409, times: 1 };
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await settle(world.proposer);
    expect(merges().map((entry) => entry.status)).toEqual([409, 200]);
    expect(
      emergencyPulls(world.fake).all.map((pull) => [pull.state, pull.mergeCommit !== undefined]),
    ).toEqual([
      ["closed", false],
      ["closed", true],
    ]);
    expect(await world.repo.readFile("main", ALICE_FILE)).toContain("active: false");
    await expectConsistent(world);
  });
});
