import type { NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { NatsTargetSession } from "../../src/targets/nats/nats-target.js";
import { BUCKET, closedWithin, startWorld, type NatsWorld } from "./fixture.js";
import { applyPolicy, targetSession, user } from "./policy-world.js";

const REASON = `the KV bucket ${BUCKET} does not exist yet: run scim-gitops apply`;

let world: NatsWorld;
let session: NatsTargetSession;
beforeAll(async () => {
  world = await startWorld({ withoutBucket: true });
  session = targetSession(world.server);
});
afterAll(async () => {
  await session?.connection.close();
  await world?.stop();
});

/** How often the server logged the callout's refusal for a missing bucket (its log arrives through a pipe). */
function refusalsInServerLog(): number {
  return world.server.log().split(`Auth callout service returned an error: ${REASON}`).length - 1;
}

async function refused(): Promise<boolean> {
  try {
    const nc = await world.connectAs("alice", { maxReconnectAttempts: 0 });
    await nc.close();
    return false;
  } catch (error) {
    if (/authorization violation/i.test(String(error))) return true;
    throw error;
  }
}

/** Connects as alice as soon as the service lets her, within `ms`; the time it took. */
async function acceptedWithin(ms: number): Promise<{ nc: NatsConnection; waitedMs: number }> {
  const started = performance.now();
  for (;;) {
    try {
      const nc = await world.connectAs("alice");
      return { nc, waitedMs: performance.now() - started };
    } catch (error) {
      if (performance.now() - started > ms) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

it("starts before the first apply, refuses with the reason until the bucket exists, and follows it being deleted and recreated", async () => {
  const service = await world.startService();
  expect(service.health().bucket).toMatchObject({ name: BUCKET, state: "waiting", people: 0 });
  expect(world.log.join("\n")).toContain(`bucket ${BUCKET}: waiting (${REASON}`);

  expect(await refused()).toBe(true);
  await vi.waitFor(() => expect(refusalsInServerLog()).toBe(1));

  // The first apply creates the bucket and alice's entry.
  await applyPolicy(session, [user("alice")]);
  const first = await acceptedWithin(3000);
  expect(service.health().bucket).toMatchObject({ state: "ready", people: 1 });
  // Apply creates the bucket before it writes: the table may load empty and then see alice arrive.
  expect(world.log.join("\n")).toMatch(/bucket scim-gitops-access: ready \(\d+ people/);

  // Deleted: nobody holds a grant any more, so her live connection goes and new ones are refused again.
  await world.deleteBucket();
  await closedWithin(first.nc, 3000);
  expect(await refused()).toBe(true);
  await vi.waitFor(() => expect(refusalsInServerLog()).toBeGreaterThanOrEqual(2));
  expect(service.health().bucket).toMatchObject({ state: "waiting", people: 0 });

  await applyPolicy(session, [user("alice")]);
  const again = await acceptedWithin(3000);
  expect(service.health().bucket.state).toBe("ready");
  await again.nc.close();
  await service.stop();
});

it("hears of a deleted and recreated bucket from JetStream's advisories, long before the next poll", async () => {
  await applyPolicy(session, [user("alice")]);
  const service = await world.startService({ bucketPollMs: 60_000 });
  const before = await acceptedWithin(1000);
  await world.deleteBucket();
  await applyPolicy(session, []);
  await world.createBucket();
  await closedWithin(before.nc, 3000);
  await vi.waitFor(() => expect(service.health().bucket.state).toBe("ready"), { timeout: 3000 });
  // Answered from the new, empty bucket: alice is unknown there.
  expect(await refused()).toBe(true);
  expect(world.log.at(-1)).toMatch(/alice holds no NATS access/);
  await service.stop();
});

describe("without JetStream's advisories", () => {
  let locked: NatsWorld;
  let lockedSession: NatsTargetSession;
  beforeAll(async () => {
    locked = await startWorld({ withoutBucket: true, authWithoutAdvisories: true });
    lockedSession = targetSession(locked.server);
  });
  afterAll(async () => {
    await lockedSession?.connection.close();
    await locked?.stop();
  });

  it("polls: finds the bucket, and tells a recreated one from the old by its creation time", async () => {
    const service = await locked.startService({ bucketPollMs: 300 });
    await applyPolicy(lockedSession, [user("alice")]);
    await vi.waitFor(() => expect(service.health().bucket.state).toBe("ready"), { timeout: 3000 });
    const alice = await locked.connectAs("alice");

    // Deleted and recreated (empty) well inside one poll interval: never seen as missing.
    await locked.deleteBucket();
    await locked.createBucket();
    await closedWithin(alice, 3000);
    expect(service.health().bucket).toMatchObject({ state: "ready", people: 0 });
    // Waiting once, at start, before the first apply; never in between.
    expect(locked.log.filter((line) => line.includes(": waiting ("))).toHaveLength(1);
    await service.stop();
  });
});
