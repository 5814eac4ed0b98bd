import { describe, expect, it } from "vitest";
import { diffAccess } from "../../src/policy/diff/access-diff.js";
import type { AccessDiff } from "../../src/policy/diff/access-change.js";
import { compilePolicy } from "../../src/policy/compile/compile.js";
import type { Policy } from "../../src/policy/model/model.js";
import { renderAccessDiff } from "../../src/policy/render/render-access-diff.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";
import { binding, group, namespaceGrant, policy, resetLines, role, teamPolicy, user } from "./builders.js";

const NOW = new Date("2026-11-29T02:00:00.000Z");
const diffPolicies = (before: Policy, after: Policy): AccessDiff =>
  diffAccess(compilePolicy(before, NOW), compilePolicy(after, NOW), POLICY_TARGETS);

function deactivation(): AccessDiff {
  const base = teamPolicy();
  return diffPolicies(base, {
    ...base,
    users: base.users.map((u) => (u.userName === "alice@example.com" ? { ...u, active: false } : u)),
  });
}

function membership(): AccessDiff {
  const base = teamPolicy();
  return diffPolicies(base, {
    ...base,
    users: [...base.users, user("frank@example.com", { displayName: "Frank | New" })],
    groups: base.groups.map((g) =>
      g.displayName === "payments-engineers" || g.displayName === "platform"
        ? { ...g, members: [...g.members, "frank@example.com", "alice@example.com"].sort() }
        : g,
    ),
  });
}

/** Many people each losing one namespace, to push the markdown over its budget. */
function massRevocation(people: number): AccessDiff {
  const names = Array.from(
    { length: people },
    (_, index) => `user${String(index).padStart(4, "0")}@example.com`,
  );
  const make = (members: readonly string[]) => {
    resetLines();
    return policy({
      roles: [role("reader", { pulsar: [namespaceGrant("acme/events", ["consume"])] })],
      users: names.map((name) => user(name)),
      groups: [group("everyone", members)],
      bindings: [binding("group:everyone", ["reader"])],
    });
  };
  return diffPolicies(make(names), make([]));
}

describe("renderAccessDiff", () => {
  it("renders a deactivation as revocation-only in every format", async () => {
    const diff = deactivation();
    expect(diff.revocationOnly).toBe(true);
    await expect(renderAccessDiff(diff, "text")).toMatchFileSnapshot("__snapshots__/deactivation.txt");
    await expect(renderAccessDiff(diff, "markdown")).toMatchFileSnapshot("__snapshots__/deactivation.md");
    expect(JSON.parse(renderAccessDiff(diff, "json"))).toMatchObject({ revocationOnly: true, grants: 0 });
  });

  it("renders adding members to groups as a grant with the bindings that cause it", async () => {
    const diff = membership();
    expect(diff.revocationOnly).toBe(false);
    const text = renderAccessDiff(diff, "text");
    expect(text).toContain("Grants access");
    await expect(text).toMatchFileSnapshot("__snapshots__/membership.txt");
    await expect(renderAccessDiff(diff, "markdown")).toMatchFileSnapshot("__snapshots__/membership.md");
    expect(renderAccessDiff(diff, "json")).toMatchSnapshot();
  });

  it("renders a rename as losses under the old principal and gains under the new one", async () => {
    const base = teamPolicy();
    const renamed = (name: string) => (name === "bob@example.com" ? "robert@example.com" : name);
    const diff = diffPolicies(base, {
      ...base,
      users: base.users.map((u) =>
        u.userName === "bob@example.com"
          ? { ...u, userName: "robert@example.com", formerUserNames: ["bob@example.com"] }
          : u,
      ),
      groups: base.groups.map((g) => ({ ...g, members: g.members.map(renamed) })),
    });
    const text = renderAccessDiff(diff, "text");
    expect(text).toContain("robert@example.com (Bob Builder), renamed from bob@example.com");
    await expect(text).toMatchFileSnapshot("__snapshots__/rename.txt");
  });

  it("says there is nothing to review when access is unchanged", () => {
    const access = compilePolicy(teamPolicy(), NOW);
    const diff = diffAccess(access, access, POLICY_TARGETS);
    expect(renderAccessDiff(diff, "text")).toBe("No access changes.\n");
    expect(renderAccessDiff(diff, "markdown")).toBe("### Access diff\n\n✅ No access changes.\n");
  });

  it("keeps markdown within the budget, summarising and noting what it left out", async () => {
    const diff = massRevocation(2000);
    const full = renderAccessDiff(diff, "markdown", { maxChars: 10_000_000 });
    expect(full.length).toBeGreaterThan(60_000);
    const markdown = renderAccessDiff(diff, "markdown");
    expect(markdown.length).toBeLessThanOrEqual(60_000);
    expect(markdown).toContain("Revocation-only: 2000 people lose 2000 permissions");
    expect(markdown).toMatch(
      /\*\*Truncated:\*\* \d+ more people \(\d+ changes, 0 of them gaining access\) not shown/,
    );
    const small = renderAccessDiff(massRevocation(12), "markdown", { maxChars: 1500 });
    expect(small.length).toBeLessThanOrEqual(1500);
    await expect(small).toMatchFileSnapshot("__snapshots__/truncated.md");
  });

  it("lists people who gain access first, so truncation never hides a grant behind revocations", () => {
    const names = Array.from(
      { length: 300 },
      (_, index) => `user${String(index).padStart(4, "0")}@example.com`,
    );
    const make = (members: readonly string[]) => {
      resetLines();
      return policy({
        roles: [role("reader", { pulsar: [namespaceGrant("acme/events", ["consume"])] })],
        users: [...names, "zed@example.com"].map((name) => user(name)),
        groups: [group("everyone", members)],
        bindings: [binding("group:everyone", ["reader"])],
      });
    };
    const diff = diffPolicies(make(names), make(["zed@example.com"]));
    expect(diff.revocationOnly).toBe(false);
    const markdown = renderAccessDiff(diff, "markdown", { maxChars: 5_000 });
    expect(markdown.length).toBeLessThanOrEqual(5_000);
    expect(markdown).toContain("**zed@example.com**");
    expect(markdown.indexOf("zed@example.com")).toBeLessThan(markdown.indexOf("user0000@example.com"));
    expect(markdown).toContain("0 of them gaining access) not shown");
  });

  it("never exceeds even a budget too small for the summary", () => {
    expect(renderAccessDiff(massRevocation(3), "markdown", { maxChars: 40 }).length).toBeLessThanOrEqual(40);
  });
});
