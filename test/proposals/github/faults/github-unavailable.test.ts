/**
 * GitHub refusing or failing requests while SCIM writes keep being acknowledged: a secondary rate limit
 * with `retry-after`, 5xx answers, and GitHub unreachable for a while (4 s here, standing in for a minute:
 * the proposer's backoff is shortened to 0.2/0.5/1 s so the test waits seconds). Whatever happens, the end
 * state is consistent and nothing acknowledged is lost. Probot's plugin-retry is off unless a test says so,
 * so it is the proposer's own handling that rides each fault out.
 */
import { afterEach, describe, expect, it } from "vitest";
import { patch, put } from "../../ledger-writes.js";
import { ALICE_ID, BOB_ID, scimUser } from "../../policy-fixture.js";
import type { FaultWorld } from "./faults-fixture.js";
import { emergencyPulls, expectConsistent, openFaultWorld, settle } from "./faults-fixture.js";

const CAROL_ID = "c0ffee00-0000-4000-8000-00000000000c";
const DAVE_ID = "c0ffee00-0000-4000-8000-00000000000d";
const ALICE_FILE = "policies/identities/users/alice-example-com.yaml";

let world: FaultWorld;

afterEach(async () => {
  await world.proposer.close();
  await world.close();
});

describe("a secondary rate limit with retry-after", () => {
  it("is waited out before anything else is sent, then the flush and the emergency go through", async () => {
    world = await openFaultWorld();
    world.fake.faults.rateLimit = { status: 403, retryAfterSeconds: 2, times: 1 };
    await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await settle(world.proposer);

    const limited = world.fake.log.findIndex((entry) => entry.status === 403);
    expect(limited).toBeGreaterThanOrEqual(0);
    const next = world.fake.log[limited + 1];
    const hit = world.fake.log[limited];
    if (hit === undefined || next === undefined) throw new Error("nothing was sent after the limit");
    expect(next.at - hit.at).toBeGreaterThanOrEqual(2_000);
    expect(world.lines.join("\n")).toMatch(/GitHub rate limit hit on .* \(403\): wait 2 s and try again/);
    expect(emergencyPulls(world.fake).merged).toHaveLength(1);
    expect(await world.repo.readFile("main", ALICE_FILE)).toContain("active: false");
    await expectConsistent(world);
  });
});

describe("5xx answers", () => {
  it("are retried with backoff until GitHub answers again; nothing acknowledged meanwhile is lost", async () => {
    world = await openFaultWorld();
    world.fake.faults.serverError = { status: 502, times: 4 };
    await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await put(world.ledger, "User", scimUser(DAVE_ID, "dave@example.com", "Dave"));
    await settle(world.proposer);
    expect(world.fake.log.filter((entry) => entry.status === 502)).toHaveLength(4);
    expect(world.lines.join("\n")).toMatch(/sync flush failed \(retrying in \d+ ms\): .*GitHub answered 502/);
    await expectConsistent(world);
  });

  it("on labelling an emergency PR: the half-made PR is closed before the retry, so none stays open", async () => {
    world = await openFaultWorld();
    world.fake.faults.beforeRequest = (method, path) => {
      if (method === "POST" && path.endsWith("/labels") && world.fake.faults.beforeRequest !== undefined) {
        world.fake.faults.beforeRequest = undefined;
        world.fake.faults.serverError = { status: 502, times: 1 };
      }
    };
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await settle(world.proposer);
    expect(
      emergencyPulls(world.fake).all.map((pull) => [pull.state, pull.mergeCommit !== undefined]),
    ).toEqual([
      ["closed", false],
      ["closed", true],
    ]);
    expect(await world.repo.readFile("main", ALICE_FILE)).toContain("active: false");
    await expectConsistent(world);
  });

  it("are bridged by Probot's plugin-retry when it is on, as in the App", async () => {
    world = await openFaultWorld({ retry: true });
    world.fake.faults.serverError = { status: 503, times: 1 };
    await patch(world.ledger, "User", BOB_ID, { active: false });
    await settle(world.proposer);
    expect(world.proposer.state().emergencies).toMatchObject({ merged: 1, failed: 0 });
    await expectConsistent(world);
  });
});

describe("GitHub unreachable for a while", () => {
  it("counts the changes of a flush still waiting on GitHub as pending", async () => {
    world = await openFaultWorld();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (reached = resolve));
    world.fake.faults.beforeRequest = async (method, path) => {
      if (method !== "POST" || !path.endsWith("/git/trees")) return;
      world.fake.faults.beforeRequest = undefined;
      reached();
      await held;
    };
    await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await put(world.ledger, "User", scimUser(DAVE_ID, "dave@example.com", "Dave"));
    await waiting;
    const during = world.proposer.state().pendingChanges;
    release();
    expect(during).toBe(2);
    await settle(world.proposer);
    expect(world.proposer.state().pendingChanges).toBe(0);
    await expectConsistent(world);
  });

  it("keeps every write and deactivation acknowledged meanwhile, and sends them once GitHub is back", async () => {
    world = await openFaultWorld();
    const outage = 4_000;
    world.fake.faults.downUntil = Date.now() + outage;
    await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await put(world.ledger, "User", scimUser(DAVE_ID, "dave@example.com", "Dave"));
    await expect
      .poll(() => world.proposer.state().emergencies.failed, { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(world.proposer.state().pendingChanges).toBeGreaterThan(0);

    await settle(world.proposer);
    expect(world.fake.log[0]?.at).toBeGreaterThanOrEqual((world.fake.faults.downUntil ?? 0) - 1);
    expect(world.lines.join("\n")).toMatch(/could not reach GitHub \(/);
    expect(emergencyPulls(world.fake).merged).toHaveLength(1);
    expect(emergencyPulls(world.fake).open).toHaveLength(0);
    expect(await world.repo.readFile("main", ALICE_FILE)).toContain("active: false");
    await expectConsistent(world);
  });
});
