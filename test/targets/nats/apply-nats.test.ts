import { afterAll, beforeAll, expect, it } from "vitest";
import { decodeEntry, keyForPrincipal } from "../../../src/targets/nats/entry.js";
import { natsTarget } from "../../../src/targets/nats/nats-target.js";
import { perms, startWorld, type NatsWorld } from "../../nats/fixture.js";
import { applyPolicy, desiredFor, SETTINGS, targetSession, user } from "../../nats/policy-world.js";

let world: NatsWorld;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world?.stop());

it("keeps accounts outside the managed scope in an entry, and deletes a key left with none", async () => {
  const session = targetSession(world.server);
  try {
    await world.put("alice", { APP: perms(["app.>"], ["app.>"]), OTHER: perms(["x.>"], ["x.>"]) });
    await world.put("bob", { PAYMENTS: perms(["payments.>"], ["payments.>"]) });
    const { plan, result } = await applyPolicy(session, [
      user("alice", { active: false }),
      user("bob", { active: false }),
    ]);
    expect(plan.changes.map((change) => `${change.action} ${change.principal} ${change.resource}`)).toEqual([
      "revoke alice account APP",
      "revoke bob account PAYMENTS",
    ]);
    expect(result.results.every((each) => each.ok)).toBe(true);

    const alice = await world.kv.get(keyForPrincipal("alice"));
    expect(alice?.operation).toBe("PUT");
    const entry = decodeEntry("alice", alice!.value);
    expect(Object.keys(entry.accounts)).toEqual(["OTHER"]);
    expect(entry.changedBy).toBe("0123abcd");
    expect((await world.kv.get(keyForPrincipal("bob")))?.operation).toBe("DEL");

    const actual = await natsTarget.readActual(session, SETTINGS);
    expect(natsTarget.plan(desiredFor([]), SETTINGS, actual).changes).toEqual([]);
  } finally {
    await session.connection.close();
  }
});

it("merges into the entry as it is at write time: a concurrent edit of another account survives", async () => {
  const session = targetSession(world.server);
  try {
    const actual = await natsTarget.readActual(session, SETTINGS);
    const plan = natsTarget.plan(desiredFor([user("carol")]), SETTINGS, actual);
    await world.put("carol", { APP: perms(["elsewhere.>"], ["elsewhere.>"]), OTHER: perms(["x.>"], []) });
    const result = await natsTarget.apply(session, plan, SETTINGS, {});
    expect(result.results.map((each) => each.ok)).toEqual([true]);
    const entry = decodeEntry("carol", (await world.kv.get(keyForPrincipal("carol")))!.value);
    expect(entry.accounts.APP?.publish.allow).toEqual(["app.>"]);
    expect(Object.keys(entry.accounts)).toEqual(["APP", "OTHER"]);
    const again = await applyPolicy(session, [user("carol")]);
    expect(again.plan.changes).toEqual([]);
  } finally {
    await session.connection.close();
  }
});
