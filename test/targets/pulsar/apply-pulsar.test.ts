import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pulsarTarget } from "../../../src/targets/pulsar/pulsar-target.js";
import type { FakePulsarAdmin } from "../../fakes/pulsar-admin/server.js";
import { accessOf, pulsarSettings } from "./access-builder.js";
import { clientFor, seedCluster, startFake } from "./fixture.js";

let fake: FakePulsarAdmin;
beforeEach(async () => {
  fake = await startFake();
  seedCluster(fake);
});
afterEach(() => fake.close());

const settings = pulsarSettings();
const desired = accessOf([
  {
    userName: "alice",
    grants: [
      "ns:acme/payments=consume,produce",
      "topic:persistent://acme/orders/audit=consume",
      "tenant:acme",
    ],
  },
  { userName: "bob", grants: ["ns:acme/payments=consume"] },
  { userName: "dave", deleted: "2026-11-28T09:00:00Z" },
]);

async function planNow() {
  const client = clientFor(fake);
  return pulsarTarget.plan(desired, settings, await pulsarTarget.readActual(client, settings));
}

describe("Pulsar apply against the fake", () => {
  it("reads one policies document per managed namespace and nothing outside the scope", async () => {
    await planNow();
    const gets = fake.log.filter((record) => record.method === "GET").map((record) => record.path);
    expect(gets.sort()).toEqual([
      "/admin/v2/namespaces/acme",
      "/admin/v2/namespaces/acme/orders",
      "/admin/v2/namespaces/acme/payments",
      "/admin/v2/namespaces/shared/events",
      "/admin/v2/tenants/acme",
    ]);
  });

  it("applies revocations, then the unload, then updates, then grants; a second apply writes nothing", async () => {
    const plan = await planNow();
    const result = await pulsarTarget.apply(clientFor(fake), plan, settings, {});
    expect(result.results.every((each) => each.ok)).toBe(true);
    expect(fake.state.snapshot()).toEqual({
      tenants: { acme: ["acme-ops", "admin", "alice"], other: [], shared: [] },
      namespaces: {
        "acme/orders": {
          namespace: {},
          topics: { "persistent://acme/orders/audit": { alice: ["consume"] } },
        },
        "acme/payments": {
          namespace: { alice: ["consume", "produce"], "app-billing": ["produce"], bob: ["consume"] },
          topics: {},
        },
        "other/untouched": { namespace: { dave: ["consume"] }, topics: {} },
        "shared/events": { namespace: {}, topics: {} },
      },
    });
    const phases = fake
      .writes()
      .map((record) =>
        record.method === "DELETE"
          ? "revoke"
          : record.path.endsWith("/unload")
            ? "unload"
            : record.path.endsWith("/permissions/bob")
              ? "update"
              : "grant",
      );
    expect(phases).toEqual(["revoke", "revoke", "unload", "unload", "update", "grant", "grant", "grant"]);
    expect(result.evidence).toEqual([
      "unloaded namespace acme/orders: live producers and consumers of dave had to reconnect and re-authorize",
      "unloaded namespace acme/payments: live producers and consumers of dave had to reconnect and re-authorize",
    ]);

    const before = fake.writes().length;
    const again = await planNow();
    expect(again.changes).toEqual([]);
    const second = await pulsarTarget.apply(clientFor(fake), again, settings, {});
    expect(second.results).toEqual([]);
    expect(fake.writes().length).toBe(before);
  });

  it("keeps going past a failed change and reports each result", async () => {
    const plan = await planNow();
    fake.faults.serverErrorNext(1);
    const result = await pulsarTarget.apply(clientFor(fake), plan, settings, {});
    const failed = result.results.filter((each) => !each.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error).toContain("Pulsar answered 500");
    expect(result.results.filter((each) => each.ok)).toHaveLength(plan.changes.length - 1);
  });

  it("reports an unload a tenant admin may not do as incomplete, after the revocations went through", async () => {
    const plan = await planNow();
    const { TENANT_ADMIN_TOKEN } = await import("./fixture.js");
    const result = await pulsarTarget.apply(clientFor(fake, TENANT_ADMIN_TOKEN), plan, settings, {});
    expect(result.results.filter((each) => each.change.action === "revoke").every((each) => each.ok)).toBe(
      true,
    );
    expect(result.incomplete).toHaveLength(2);
    expect(result.incomplete?.[0]).toContain("unload of namespace acme/orders failed");
    expect(result.incomplete?.[0]).toContain("use a superuser token");
  });

  it("writes namespaces in parallel (at most 8) and one namespace's writes one at a time", async () => {
    const names = Array.from({ length: 12 }, (_, index) => `acme/ns${String(index).padStart(2, "0")}`);
    for (const name of names) fake.state.addNamespace(name);
    const many = accessOf(
      ["p1", "p2", "p3"].map((userName) => ({ userName, grants: names.map((name) => `ns:${name}=consume`) })),
    );
    const client = clientFor(fake);
    const plan = pulsarTarget.plan(many, settings, await pulsarTarget.readActual(client, settings));
    fake.faults.latencyMs = 15;
    const result = await pulsarTarget.apply(client, plan, settings, {});
    expect(result.results.filter((each) => each.change.action === "grant").every((each) => each.ok)).toBe(
      true,
    );
    // The fake answers 409 to overlapping writes on one namespace, as a broker does: none happened.
    expect(fake.log.filter((record) => record.status === 409)).toEqual([]);
    expect(fake.peakConcurrentWrites()).toBeGreaterThan(1);
    expect(fake.peakConcurrentWrites()).toBeLessThanOrEqual(8);
  });
});
