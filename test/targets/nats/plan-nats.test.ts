import { describe, expect, it } from "vitest";
import { compilePolicy } from "../../../src/policy/compile/compile.js";
import type {
  EffectiveAccess,
  PrincipalAccess,
  TargetAccess,
} from "../../../src/policy/model/effective-access.js";
import type { UserIdentity } from "../../../src/policy/model/model.js";
import type { NatsGrant } from "../../../src/targets/nats/policy/nats-model.js";
import type { NatsActual } from "../../../src/targets/nats/actual-state.js";
import { keyForPrincipal, type AccountPermissions, type NatsEntry } from "../../../src/targets/nats/entry.js";
import { planNats } from "../../../src/targets/nats/plan-nats.js";
import { binding, natsGrant, policy, role, settings, user } from "../../policy/builders.js";

const NOW = new Date("2026-11-29T00:00:00Z");
const SETTINGS = settings();
const ROLES = [
  role("app-user", { nats: [natsGrant("APP", ["app.>"], ["app.>", "_INBOX.>"])] }),
  role("payments", { nats: [natsGrant("PAYMENTS", ["payments.>"], ["payments.>"])] }),
  role("elsewhere", { nats: [natsGrant("OTHER", ["x.>"], ["x.>"])] }),
];

function desired(people: UserIdentity[], roles: Record<string, string[]>) {
  return compilePolicy(
    policy({
      settings: SETTINGS,
      roles: ROLES,
      users: people,
      bindings: Object.entries(roles).map(([name, list]) => binding(`user:${name}`, list)),
    }),
    NOW,
  );
}

const APP: AccountPermissions = {
  publish: { allow: ["app.>"], deny: [] },
  subscribe: { allow: ["_INBOX.>", "app.>"], deny: [] },
};
const PAYMENTS: AccountPermissions = {
  publish: { allow: ["payments.>"], deny: [] },
  subscribe: { allow: ["payments.>"], deny: [] },
};

function actual(
  entries: Record<string, Omit<NatsEntry, "v" | "principal" | "changedBy"> & { changedBy?: string }>,
): NatsActual {
  const full: Record<string, NatsEntry> = {};
  for (const [principal, entry] of Object.entries(entries)) {
    full[principal] = { v: 1, principal, changedBy: "abc", ...entry };
  }
  return { bucket: "scim-gitops-access", bucketExists: true, entries: full, unreadable: {} };
}

const summary = (plan: ReturnType<typeof planNats>) =>
  plan.changes.map(
    (change) =>
      `${change.action} ${change.principal} ${change.resource}${change.narrows ? " (narrows)" : ""}`,
  );

describe("planNats", () => {
  it("grants a new person only the managed accounts, keyed by base64url(principal)", () => {
    const plan = planNats(
      desired([user("alice@example.com")], { "alice@example.com": ["app-user", "elsewhere"] }),
      SETTINGS,
      { bucket: "scim-gitops-access", bucketExists: false, entries: {}, unreadable: {} },
    );
    expect(summary(plan)).toEqual(["grant alice@example.com account APP"]);
    expect(plan.changes[0]?.operation).toMatchObject({
      key: "YWxpY2VAZXhhbXBsZS5jb20",
      account: "APP",
      permissions: APP,
    });
    expect(keyForPrincipal("alice@example.com")).not.toContain("=");
    expect(plan.notices.join("\n")).toMatch(/does not exist yet/);
  });

  it("never rewrites an unchanged person, whatever changedBy says", () => {
    const plan = planNats(
      desired([user("alice")], { alice: ["app-user"] }),
      SETTINGS,
      actual({ alice: { accounts: { APP }, changedBy: "an older commit" } }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.holders).toBe(1);
  });

  it("revokes the deactivated, narrows the rest, revocations first, leaving unmanaged accounts alone", () => {
    const plan = planNats(
      desired([user("alice", { active: false }), user("bob")], { alice: ["app-user"], bob: ["app-user"] }),
      SETTINGS,
      actual({
        alice: { accounts: { APP, OTHER: PAYMENTS } },
        bob: { accounts: { APP, PAYMENTS } },
        carol: { accounts: { PAYMENTS } },
      }),
    );
    expect(summary(plan)).toEqual([
      "revoke alice account APP (narrows)",
      "revoke bob account PAYMENTS (narrows)",
      "revoke carol account PAYMENTS (narrows)",
    ]);
    expect(plan.changes[0]?.reason).toBe("deprovisioned: alice is deactivated");
    expect(plan.changes[2]?.reason).toMatch(/not in the policy/);
    expect(plan.holders).toBe(3);
  });

  it("counts a wider set as an update that narrows nothing, and a new deny as narrowing", () => {
    const narrow: AccountPermissions = { ...APP, publish: { allow: ["app.orders.>"], deny: [] } };
    const denied: AccountPermissions = {
      ...APP,
      subscribe: { allow: APP.subscribe.allow, deny: ["app.secret"] },
    };
    const plan = planNats(
      desired([user("alice"), user("bob")], { alice: ["app-user"], bob: ["app-user"] }),
      SETTINGS,
      actual({ alice: { accounts: { APP: narrow } }, bob: { accounts: { APP: denied } } }),
    );
    expect(summary(plan)).toEqual(["update alice account APP", "update bob account APP"]);
    const withDeny = compilePolicy(
      policy({
        settings: SETTINGS,
        roles: [
          role("app-user", {
            nats: [natsGrant("APP", ["app.>"], { allow: ["app.>", "_INBOX.>"], deny: ["app.secret"] })],
          }),
        ],
        users: [user("bob")],
        bindings: [binding("user:bob", ["app-user"])],
      }),
      NOW,
    );
    expect(summary(planNats(withDeny, SETTINGS, actual({ bob: { accounts: { APP } } })))).toEqual([
      "update bob account APP (narrows)",
    ]);
  });

  it("keeps protected principals and says so; re-enables a disabled entry the policy wants", () => {
    const plan = planNats(
      desired([user("admin"), user("alice")], { alice: ["app-user"] }),
      SETTINGS,
      actual({ admin: { accounts: { APP } }, alice: { accounts: { APP }, disabled: true } }),
    );
    expect(summary(plan)).toEqual(["grant alice account APP"]);
    expect(plan.changes[0]?.operation).toMatchObject({ enable: true });
    expect(plan.notices.join("\n")).toMatch(/protected principals kept .*admin \(account APP\)/);
  });

  it("compares a hand-built grant's subjects as an entry holds them: sorted, each once", () => {
    const compiled = desired([user("alice")], { alice: ["app-user"] });
    const nats = compiled.targets.get("nats") as TargetAccess<NatsGrant>;
    const access = nats.principals.get("alice") as PrincipalAccess<NatsGrant>;
    const grant = access.grants[0] as NatsGrant;
    const unsorted: NatsGrant = { ...grant, subscribe: { allow: ["app.>", "_INBOX.>", "app.>"], deny: [] } };
    const handBuilt: EffectiveAccess = {
      ...compiled,
      targets: new Map([
        ...compiled.targets,
        ["nats", { ...nats, principals: new Map([["alice", { ...access, grants: [unsorted] }]]) }],
      ]),
    };
    expect(planNats(handBuilt, SETTINGS, actual({ alice: { accounts: { APP } } })).changes).toEqual([]);
    const fewer: AccountPermissions = { ...APP, subscribe: { allow: ["_INBOX.>"], deny: [] } };
    const plan = planNats(handBuilt, SETTINGS, actual({ alice: { accounts: { APP: fewer } } }));
    expect(summary(plan)).toEqual(["update alice account APP"]);
    expect(plan.changes[0]?.operation).toMatchObject({ permissions: APP });
  });

  it("fingerprints permissions, not changedBy", () => {
    const want = desired([user("alice")], { alice: ["app-user"] });
    const a = planNats(want, SETTINGS, actual({ alice: { accounts: { APP }, changedBy: "one" } }));
    const b = planNats(want, SETTINGS, actual({ alice: { accounts: { APP }, changedBy: "two" } }));
    const c = planNats(want, SETTINGS, actual({ alice: { accounts: { PAYMENTS } } }));
    expect(a.actualFingerprint).toBe(b.actualFingerprint);
    expect(a.actualFingerprint).not.toBe(c.actualFingerprint);
  });
});
