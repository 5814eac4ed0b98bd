import { describe, expect, it } from "vitest";
import { diffAccess } from "../../src/policy/diff/access-diff.js";
import { compilePolicy } from "../../src/policy/compile/compile.js";
import type { Policy } from "../../src/policy/model/model.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";
import { binding, natsGrant, policy, role, teamPolicy, user } from "./builders.js";

const NOW = new Date("2026-11-29T02:00:00.000Z");
const diffPolicies = (before: Policy, after: Policy) =>
  diffAccess(compilePolicy(before, NOW), compilePolicy(after, NOW), POLICY_TARGETS);

function withUser(
  base: Policy,
  userName: string,
  change: (u: Policy["users"][number]) => Policy["users"][number],
) {
  return { ...base, users: base.users.map((u) => (u.userName === userName ? change(u) : u)) };
}

function addMember(base: Policy, groupName: string, userName: string): Policy {
  return {
    ...base,
    groups: base.groups.map((g) =>
      g.displayName === groupName ? { ...g, members: [...g.members, userName].sort() } : g,
    ),
  };
}

describe("diffAccess", () => {
  it("is empty and revocation-only between a policy and itself", () => {
    const access = compilePolicy(teamPolicy(), NOW);
    expect(diffAccess(access, access, POLICY_TARGETS)).toEqual({
      people: [],
      revocationOnly: true,
      grants: 0,
      revocations: 0,
      peopleGaining: 0,
      peopleLosing: 0,
    });
  });

  it("shows a deactivation as revocation-only, every loss with the binding that gave it", () => {
    const base = teamPolicy();
    const diff = diffPolicies(
      base,
      withUser(base, "alice@example.com", (u) => ({ ...u, active: false })),
    );
    expect(diff.revocationOnly).toBe(true);
    expect(diff.people.map((person) => person.userName)).toEqual(["alice@example.com"]);
    const [alice] = diff.people;
    expect(alice?.status).toEqual({ before: "active", after: "inactive" });
    expect(alice?.grants).toBe(0);
    expect(alice?.changes.every((change) => change.gained.length === 0 && change.lost.length > 0)).toBe(true);
    expect(alice?.changes.flatMap((change) => change.lostBecause.map((b) => b.subject))).toContain(
      "group:payments-engineers",
    );
  });

  it("shows adding a member to a group as a grant, so it is not revocation-only", () => {
    const base = teamPolicy();
    const diff = diffPolicies(base, addMember(base, "platform", "alice@example.com"));
    expect(diff.revocationOnly).toBe(false);
    expect(diff.people).toHaveLength(1);
    expect(diff.people[0]?.changes).toEqual([
      expect.objectContaining({
        target: "pulsar",
        principal: "alice@example.com",
        resource: { kind: "tenant", name: "acme" },
        gained: ["tenant-admin"],
        gainedBecause: [expect.objectContaining({ subject: "group:platform", role: "platform-admin" })],
      }),
    ]);
  });

  it("shows joining a group that only adds a NATS deny as a narrowing", () => {
    const base = teamPolicy();
    const diff = diffPolicies(base, addMember(base, "data-analysts", "alice@example.com"));
    expect(diff.revocationOnly).toBe(true);
    const [alice] = diff.people;
    expect(alice?.changes).toEqual([
      expect.objectContaining({
        target: "nats",
        denyAdded: ["publish payments.>"],
        gained: [],
        lost: [],
        lostBecause: [expect.objectContaining({ subject: "group:data-analysts", role: "payments-reader" })],
      }),
    ]);
  });

  it("counts a new member's access as gained with the group binding as cause", () => {
    const base = teamPolicy();
    const after = {
      ...base,
      users: [...base.users, user("frank@example.com")],
      groups: base.groups.map((g) =>
        g.displayName === "payments-engineers" ? { ...g, members: [...g.members, "frank@example.com"] } : g,
      ),
    };
    const diff = diffPolicies(base, after);
    expect(diff.revocationOnly).toBe(false);
    expect(diff.peopleGaining).toBe(1);
    const frank = diff.people[0];
    expect(frank?.status).toEqual({ before: "absent", after: "active" });
    const namespace = frank?.changes.find((c) => c.resource.name === "acme/payments");
    expect(namespace?.gained).toEqual(["consume", "produce"]);
    expect(namespace?.gainedBecause.map((b) => `${b.subject} → ${b.role}`)).toEqual([
      "group:payments-engineers → payments-writer",
    ]);
  });

  it("shows a rename as losing under the old principal and gaining under the new one", () => {
    const base = teamPolicy();
    const after = {
      ...withUser(base, "bob@example.com", (u) => ({ ...u, userName: "robert@example.com" })),
      groups: base.groups.map((g) => ({
        ...g,
        members: g.members.map((m) => (m === "bob@example.com" ? "robert@example.com" : m)),
      })),
    };
    const diff = diffPolicies(base, after);
    expect(diff.people).toHaveLength(1);
    const [bob] = diff.people;
    expect(bob).toMatchObject({ userName: "robert@example.com", formerUserName: "bob@example.com" });
    const principals = (side: "gained" | "lost") => [
      ...new Set(bob!.changes.filter((c) => c[side].length > 0).map((c) => c.principal)),
    ];
    expect(principals("lost")).toEqual(["bob@example.com"]);
    expect(principals("gained")).toEqual(["robert@example.com"]);
    expect(diff.revocationOnly).toBe(false);
  });

  it("counts a lifted NATS deny as a grant, but not the denies of an account that is gone", () => {
    const make = (deny: readonly string[], withAccount = true) =>
      policy({
        roles: [role("r", { nats: withAccount ? [natsGrant("APP", { allow: ["app.>"], deny })] : [] })],
        users: [user("alice")],
        bindings: [binding("user:alice", ["r"])],
      });
    const lifted = diffPolicies(make(["app.secret"]), make([]));
    expect(lifted.revocationOnly).toBe(false);
    expect(lifted.people[0]?.changes[0]).toMatchObject({ denyLifted: ["publish app.secret"], gained: [] });
    const added = diffPolicies(make([]), make(["app.secret"]));
    expect(added.revocationOnly).toBe(true);
    const gone = diffPolicies(make(["app.secret"]), make([], false));
    expect(gone.revocationOnly).toBe(true);
    expect(gone.people[0]?.changes[0]).toMatchObject({ lost: ["publish app.>"], denyLifted: [] });
  });

  it("treats widening a subject as a grant (subjects compare as strings)", () => {
    const make = (allow: string) =>
      policy({
        roles: [role("r", { nats: [natsGrant("APP", [allow])] })],
        users: [user("alice")],
        bindings: [binding("user:alice", ["r"])],
      });
    expect(diffPolicies(make("app.orders"), make("app.>")).revocationOnly).toBe(false);
  });
});
