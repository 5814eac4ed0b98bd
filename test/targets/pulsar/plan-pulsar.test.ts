import { describe, expect, it } from "vitest";
import { planPulsar } from "../../../src/targets/pulsar/plan-pulsar.js";
import type { PulsarActual } from "../../../src/targets/pulsar/actual-state.js";
import { accessOf, pulsarSettings } from "./access-builder.js";

const actual = (namespaces: PulsarActual["namespaces"], adminRoles: string[] = ["admin"]): PulsarActual => ({
  namespaces,
  tenants: { acme: { adminRoles, allowedClusters: ["standalone"] } },
  missing: [],
});
const ns = (namespace: Record<string, string[]>, topics: Record<string, Record<string, string[]>> = {}) => ({
  namespace,
  topics,
  subscriptions: {},
});

describe("planPulsar (pure compare)", () => {
  it("grants, replaces and revokes namespace action sets, revocations first", () => {
    const desired = accessOf([
      { userName: "alice", grants: ["ns:acme/payments=produce,consume"] },
      { userName: "bob", grants: ["ns:acme/payments=consume"] },
      { userName: "carol", grants: ["ns:acme/orders=consume"] },
    ]);
    const plan = planPulsar(
      desired,
      pulsarSettings(),
      actual({
        "acme/payments": ns({ bob: ["consume", "produce"], carol: ["consume"] }),
        "acme/orders": ns({}),
      }),
    );
    expect(plan.changes.map((c) => [c.action, c.principal, c.resource, c.narrows])).toEqual([
      ["revoke", "carol", "namespace acme/payments", true],
      ["update", "bob", "namespace acme/payments", true],
      ["grant", "carol", "namespace acme/orders", false],
      ["grant", "alice", "namespace acme/payments", false],
    ]);
    expect(plan.changes[1]?.operation).toEqual({
      op: "set-namespace-permission",
      namespace: "acme/payments",
      role: "bob",
      actions: ["consume"],
    });
    expect(plan.changes[2]?.reason).toBe("group:engineers → writer (access/team.yaml:3:7)");
    expect(plan.holders).toBe(3);
  });

  it("leaves an unmanaged principal alone with a notice, and revokes it only when prune is on", () => {
    const desired = accessOf([{ userName: "alice", grants: ["ns:acme/payments=consume"] }]);
    const state = actual({ "acme/payments": ns({ alice: ["consume"], "app-billing": ["produce"] }) });
    const kept = planPulsar(desired, pulsarSettings(), state);
    expect(kept.changes).toEqual([]);
    expect(kept.notices.join("\n")).toContain(
      "unmanaged: app-billing holds access the policy does not know about on namespace acme/payments",
    );
    const pruned = planPulsar(desired, pulsarSettings({ prune: true }), state);
    expect(pruned.changes.map((c) => [c.action, c.principal, c.reason])).toEqual([
      ["revoke", "app-billing", "not in the policy, and pulsar.prune is true"],
    ]);
  });

  it("revokes a deprovisioned person with prune off and plans the unload of their namespaces", () => {
    const desired = accessOf([
      { userName: "dave", active: false },
      { userName: "erin", deleted: "2026-11-28T10:00:00Z" },
    ]);
    const plan = planPulsar(
      desired,
      pulsarSettings(),
      actual(
        {
          "acme/payments": ns(
            { dave: ["consume"] },
            { "persistent://acme/payments/ledger": { erin: ["consume"] } },
          ),
        },
        ["admin", "dave"],
      ),
    );
    expect(plan.changes.map((c) => [c.action, c.principal, c.resource, c.reason])).toEqual([
      ["revoke", "dave", "namespace acme/payments", "deprovisioned: dave is deactivated"],
      ["revoke", "dave", "tenant acme", "deprovisioned: dave is deactivated"],
      [
        "revoke",
        "erin",
        "topic persistent://acme/payments/ledger",
        "deprovisioned: erin was deleted at 2026-11-28T10:00:00Z",
      ],
    ]);
    expect(plan.changes[2]?.operation).toMatchObject({
      op: "revoke-topic-permission",
      unload: ["acme/payments"],
    });
    expect(plan.notices).toContain(
      "unload: after revoking erin, apply unloads acme/payments so its live producers and consumers must re-authorize",
    );
    const noUnload = planPulsar(
      desired,
      pulsarSettings({ unloadOnRevoke: false }),
      actual({ "acme/payments": ns({ dave: ["consume"] }) }),
    );
    expect(noUnload.changes[0]?.operation).toMatchObject({ unload: [] });
  });

  it("never revokes a protected principal, and says so", () => {
    const desired = accessOf([{ userName: "admin", active: false }]);
    const plan = planPulsar(
      desired,
      pulsarSettings(),
      actual({ "acme/payments": ns({ admin: ["produce"] }) }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.notices.join("\n")).toContain("protected: admin keeps its access on namespace acme/payments");
  });

  it("tracks topic-level grants apart from namespace-level ones (no topic revoke of a namespace grant)", () => {
    const desired = accessOf([
      {
        userName: "alice",
        grants: ["ns:acme/payments=consume", "topic:persistent://acme/payments/ledger=produce"],
      },
    ]);
    const plan = planPulsar(
      desired,
      pulsarSettings(),
      actual({ "acme/payments": ns({ alice: ["consume"] }) }),
    );
    expect(plan.changes.map((c) => [c.action, c.resource, c.after])).toEqual([
      ["grant", "topic persistent://acme/payments/ledger", ["produce"]],
    ]);
  });

  it("adds and removes tenant admins inside managed tenants only", () => {
    const desired = accessOf([
      { userName: "alice", grants: ["tenant:acme", "tenant:other"] },
      { userName: "bob" },
    ]);
    const plan = planPulsar(desired, pulsarSettings(), actual({}, ["admin", "bob"]));
    expect(plan.changes.map((c) => [c.action, c.principal, c.resource, c.operation])).toEqual([
      [
        "revoke",
        "bob",
        "tenant acme",
        { op: "remove-tenant-admin", tenant: "acme", role: "bob", unload: [] },
      ],
      ["grant", "alice", "tenant acme", { op: "add-tenant-admin", tenant: "acme", role: "alice" }],
    ]);
    expect(plan.notices.join("\n")).toContain("outside the managed scope: the policy grants on tenant other");
  });

  it("reports grants on namespaces outside the scope or missing on the cluster, and writes none", () => {
    const desired = accessOf([
      { userName: "alice", grants: ["ns:acme/new=consume", "ns:elsewhere/x=consume"] },
    ]);
    const plan = planPulsar(desired, pulsarSettings(), actual({}));
    expect(plan.changes).toEqual([]);
    expect(plan.notices).toEqual([
      "outside the managed scope: the policy grants on namespace elsewhere/x, which settings.yaml pulsar.manage does not list; nothing is written there",
      "missing: namespace acme/new does not exist on the cluster; create it, then apply again to write its grants",
    ]);
  });

  it("fingerprints the actual state stably and differently when it changes", () => {
    const desired = accessOf([]);
    const a = planPulsar(desired, pulsarSettings(), actual({ "acme/x": ns({ bob: ["consume"] }) }));
    const b = planPulsar(desired, pulsarSettings(), actual({ "acme/x": ns({ bob: ["consume"] }) }));
    const c = planPulsar(desired, pulsarSettings(), actual({ "acme/x": ns({ bob: ["produce"] }) }));
    expect(a.actualFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a.actualFingerprint).toBe(b.actualFingerprint);
    expect(a.actualFingerprint).not.toBe(c.actualFingerprint);
  });
});
