import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffAccess } from "../../src/policy/diff/access-diff.js";
import { compilePolicy } from "../../src/policy/compile/compile.js";
import type { Policy } from "../../src/policy/model/model.js";
import { plainAccess, policyArb } from "./arbitraries.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";
import { binding, natsGrant, policy, role, user, group } from "./builders.js";

const NOW = new Date("2026-11-29T12:00:00.000Z");

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed >>> 0 || 1;
  for (let index = copy.length - 1; index > 0; index--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

/** The same policy as if its files, bindings, role entries and identities had been read in another order. */
function reordered(source: Policy, seed: number): Policy {
  return {
    targets: source.targets,
    settings: source.settings,
    roles: new Map(
      shuffle([...source.roles.values()], seed).map((r) => [
        r.name,
        {
          ...r,
          entries: new Map(
            [...r.entries].map(([target, entries], index) => [target, shuffle(entries, seed + 1 + index)]),
          ),
        },
      ]),
    ),
    bindings: shuffle(source.bindings, seed + 3),
    users: shuffle(source.users, seed + 4),
    groups: shuffle(source.groups, seed + 5),
  };
}

/** Every policy that differs from `source` by one group member, one binding or one user less. */
function removals(source: Policy): { what: string; policy: Policy }[] {
  const result: { what: string; policy: Policy }[] = [];
  source.bindings.forEach((_, index) =>
    result.push({
      what: `binding ${index}`,
      policy: { ...source, bindings: source.bindings.filter((__, other) => other !== index) },
    }),
  );
  source.users.forEach((removed) =>
    result.push({
      what: `user ${removed.userName}`,
      policy: { ...source, users: source.users.filter((u) => u !== removed) },
    }),
  );
  source.groups.forEach((g) =>
    g.members.forEach((member) =>
      result.push({
        what: `member ${member} of ${g.displayName}`,
        policy: {
          ...source,
          groups: source.groups.map((other) =>
            other === g ? { ...g, members: g.members.filter((m) => m !== member) } : other,
          ),
        },
      }),
    ),
  );
  return result;
}

describe("policy core properties", () => {
  it("compile is deterministic, whatever order the policy was read in", () => {
    fc.assert(
      fc.property(policyArb({ withDenies: true }), fc.integer(), (source, seed) => {
        const first = plainAccess(compilePolicy(source, NOW));
        expect(plainAccess(compilePolicy(source, NOW))).toEqual(first);
        expect(plainAccess(compilePolicy(reordered(source, seed), NOW))).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it("diff(a, a) is empty and revocation-only", () => {
    fc.assert(
      fc.property(policyArb({ withDenies: true }), (source) => {
        const access = compilePolicy(source, NOW);
        const diff = diffAccess(access, compilePolicy(source, NOW), POLICY_TARGETS);
        expect(diff.people).toEqual([]);
        expect(diff.revocationOnly).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("removing any member, binding or user never yields a grant (policies without NATS denies)", () => {
    fc.assert(
      fc.property(policyArb({ withDenies: false }), (source) => {
        const before = compilePolicy(source, NOW);
        for (const removal of removals(source)) {
          const diff = diffAccess(before, compilePolicy(removal.policy, NOW), POLICY_TARGETS);
          expect(diff.revocationOnly, `removing ${removal.what}`).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("removing a user never yields a grant, NATS denies included", () => {
    fc.assert(
      fc.property(policyArb({ withDenies: true }), (source) => {
        const before = compilePolicy(source, NOW);
        for (const removal of removals(source).filter((r) => r.what.startsWith("user "))) {
          expect(
            diffAccess(before, compilePolicy(removal.policy, NOW), POLICY_TARGETS).revocationOnly,
            removal.what,
          ).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("removing a binding that carried a NATS deny is a grant: the deny no longer narrows the account", () => {
    const make = (withDenyBinding: boolean) =>
      policy({
        roles: [
          role("writer", { nats: [natsGrant("APP", ["app.>"])] }),
          role("no-secrets", { nats: [natsGrant("APP", { deny: ["app.secret"] })] }),
        ],
        users: [user("alice")],
        groups: [group("contractors", ["alice"])],
        bindings: [
          binding("user:alice", ["writer"]),
          ...(withDenyBinding ? [binding("group:contractors", ["no-secrets"])] : []),
        ],
      });
    const diff = diffAccess(compilePolicy(make(true), NOW), compilePolicy(make(false), NOW), POLICY_TARGETS);
    expect(diff.revocationOnly).toBe(false);
    expect(diff.people[0]?.changes[0]?.denyLifted).toEqual(["publish app.secret"]);
  });
});
