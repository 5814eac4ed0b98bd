import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PulsarActual } from "../../../src/targets/pulsar/actual-state.js";
import { decodeOperation } from "../../../src/targets/pulsar/operation.js";
import { planPulsar } from "../../../src/targets/pulsar/plan-pulsar.js";
import type { TargetPlan } from "../../../src/plan/plan.js";
import { accessOf, pulsarSettings, type PersonSpec } from "./access-builder.js";

const NAMESPACES = ["acme/x", "acme/y", "shared/events", "other/z"];
const TOPICS = ["persistent://acme/x/t1", "persistent://shared/events/t2", "persistent://other/z/t3"];
const ROLES = ["alice", "bob", "carol", "admin", "app"];
const PEOPLE = ["alice", "bob", "carol"];
const actions = fc
  .subarray(["produce", "consume", "functions"], { minLength: 1 })
  .map((list) => [...list].sort());
const roleMap = fc.dictionary(fc.constantFrom(...ROLES), actions, { maxKeys: 4 });

const actualArb = fc
  .record({
    namespaces: fc.tuple(...NAMESPACES.map(() => roleMap)),
    topics: fc.tuple(...TOPICS.map(() => roleMap)),
    admins: fc.subarray(ROLES),
  })
  .map(({ namespaces, topics, admins }): PulsarActual => {
    const out: Record<
      string,
      {
        namespace: Record<string, string[]>;
        topics: Record<string, Record<string, string[]>>;
        subscriptions: Record<string, string[]>;
      }
    > = {};
    NAMESPACES.forEach(
      (name, index) => (out[name] = { namespace: namespaces[index] ?? {}, topics: {}, subscriptions: {} }),
    );
    TOPICS.forEach((topic, index) => {
      const ns = topic.replace(/^persistent:\/\/([^/]+\/[^/]+)\/.*$/, "$1");
      if (Object.keys(topics[index] ?? {}).length > 0) out[ns]!.topics[topic] = topics[index]!;
    });
    return {
      namespaces: out,
      tenants: { acme: { adminRoles: [...admins].sort(), allowedClusters: ["c"] } },
      missing: [],
    };
  });

const grantArb = fc.oneof(
  fc.tuple(fc.constantFrom(...NAMESPACES), actions).map(([ns, list]) => `ns:${ns}=${list.join(",")}`),
  fc.tuple(fc.constantFrom(...TOPICS), actions).map(([topic, list]) => `topic:${topic}=${list.join(",")}`),
  fc.constant("tenant:acme"),
);
const peopleArb = fc.tuple(
  ...PEOPLE.map((userName) =>
    fc
      .record({
        active: fc.boolean(),
        grants: fc.uniqueArray(grantArb, { maxLength: 4, selector: (g) => g.split("=")[0] }),
      })
      .map(({ active, grants }): PersonSpec => ({ userName, active, grants })),
  ),
);

interface MutableState {
  namespaces: Record<
    string,
    {
      namespace: Record<string, string[]>;
      topics: Record<string, Record<string, string[]>>;
      subscriptions: Record<string, string[]>;
    }
  >;
  tenants: Record<string, { adminRoles: string[]; allowedClusters: string[] }>;
  missing: string[];
}

/** Applies a plan's operations to a copy of the state, as a broker would. */
function simulate(actual: PulsarActual, plan: TargetPlan): PulsarActual {
  const state = structuredClone(actual) as unknown as MutableState;
  for (const change of plan.changes) {
    const op = decodeOperation(change.operation);
    switch (op.op) {
      case "set-namespace-permission":
        state.namespaces[op.namespace]!.namespace[op.role] = [...op.actions];
        break;
      case "revoke-namespace-permission":
        delete state.namespaces[op.namespace]!.namespace[op.role];
        break;
      case "set-topic-permission": {
        const ns = op.topic.replace(/^persistent:\/\/([^/]+\/[^/]+)\/.*$/, "$1");
        (state.namespaces[ns]!.topics[op.topic] ??= {})[op.role] = [...op.actions];
        break;
      }
      case "revoke-topic-permission": {
        const ns = op.topic.replace(/^persistent:\/\/([^/]+\/[^/]+)\/.*$/, "$1");
        expect(state.namespaces[ns]!.topics[op.topic]?.[op.role]).toBeDefined();
        delete state.namespaces[ns]!.topics[op.topic]![op.role];
        if (Object.keys(state.namespaces[ns]!.topics[op.topic]!).length === 0)
          delete state.namespaces[ns]!.topics[op.topic];
        break;
      }
      case "add-tenant-admin":
        state.tenants[op.tenant]!.adminRoles = [...state.tenants[op.tenant]!.adminRoles, op.role].sort();
        break;
      case "remove-tenant-admin":
        state.tenants[op.tenant]!.adminRoles = state.tenants[op.tenant]!.adminRoles.filter(
          (r: string) => r !== op.role,
        );
        break;
    }
  }
  return state;
}

describe("planPulsar properties", () => {
  it("converges in one apply, stays in scope, spares protected and (without prune) unmanaged roles, revokes first", () => {
    fc.assert(
      fc.property(actualArb, peopleArb, fc.boolean(), (actual, people, prune) => {
        const settings = pulsarSettings({ prune });
        const desired = accessOf(people);
        const plan = planPulsar(desired, settings, actual);
        for (const change of plan.changes) {
          expect(change.resource).not.toContain("other/z");
          expect(change.principal).not.toBe("admin");
          if (!prune) expect(change.principal).not.toBe("app");
        }
        const ranks = plan.changes.map((change) => ({ revoke: 0, update: 1, grant: 2 })[change.action]);
        expect(ranks).toEqual([...ranks].sort());
        expect(planPulsar(desired, settings, simulate(actual, plan)).changes).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
