import { describe, expect, it } from "vitest";
import { planExpiryEdit } from "../../src/policy/expiry/plan-expiry-edit.js";
import { compilePolicy } from "../../src/policy/compile/compile.js";
import { loadPolicy } from "../../src/policy/load/load.js";
import { readPolicyDir } from "../../src/repos/policy-files.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";

const DAY = (day: string) => new Date(`${day}T12:00:00Z`);

function edit(files: Record<string, string>, day: string, warnWithinDays = 14) {
  return planExpiryEdit(new Map(Object.entries(files)), { dir: "policies", now: DAY(day), warnWithinDays });
}

const ACCESS = `# yaml-language-server: $schema=../access.schema.json
roles:
  reader:
    pulsar:
      - namespace: acme/payments # tenant/namespace
        actions: [consume]

bindings:
  - group: payments-engineers
    roles: [reader]
  # Carol until the migration ends.
  - user: carol@example.com
    roles: [reader]
    expires: 2027-06-30 # reviewed by Erin

  # A comment about what follows, kept.
  - user: dave@example.com
    roles: [reader]
    expires: "2027-07-10"
# the end
`;

describe("planExpiryEdit", () => {
  it("cuts exactly an expired binding and the comment above it, leaving every other byte", () => {
    const result = edit({ "access/team.yaml": ACCESS }, "2027-07-01");
    expect(result.expired.map((binding) => binding.subject)).toEqual([
      { kind: "user", name: "carol@example.com" },
    ]);
    expect(result.expired[0]).toMatchObject({
      roles: ["reader"],
      expires: "2027-06-30",
      at: { file: "policies/access/team.yaml", line: 12, col: 5 },
      daysLeft: -1,
    });
    expect(result.changes.get("access/team.yaml")).toBe(
      ACCESS.replace(
        "  # Carol until the migration ends.\n  - user: carol@example.com\n    roles: [reader]\n    expires: 2027-06-30 # reviewed by Erin\n",
        "",
      ),
    );
    // Dave's last day is nine days off: flagged, not removed.
    expect(result.expiringSoon).toEqual([
      expect.objectContaining({ subject: { kind: "user", name: "dave@example.com" }, daysLeft: 9 }),
    ]);
  });

  it("judges expiry exactly as compile does: a binding holds through its last day, UTC", () => {
    const files = { "access/team.yaml": ACCESS };
    expect(edit(files, "2027-06-30").expired).toEqual([]);
    expect(edit(files, "2027-06-30").expiringSoon[0]).toMatchObject({ expires: "2027-06-30", daysLeft: 0 });
    expect(edit(files, "2027-07-01").expired).toHaveLength(1);
    const policy = (day: string) =>
      loadPolicy(new Map([...minimalPolicy(), ["access/team.yaml", ACCESS]]), {
        dir: "policies",
        now: DAY(day),
        targets: POLICY_TARGETS,
      }).policy;
    const carolHolds = (day: string) =>
      compilePolicy(policy(day), DAY(day)).targets.get("pulsar")?.principals.has("carol@example.com");
    expect(carolHolds("2027-06-30")).toBe(true);
    expect(carolHolds("2027-07-01")).toBe(false);
  });

  it("locates each binding where the loader does, so the proof can match them up", () => {
    const files = new Map([...minimalPolicy(), ["access/team.yaml", ACCESS]]);
    const loaded = loadPolicy(files, { dir: "policies", now: DAY("2027-07-20"), targets: POLICY_TARGETS });
    const result = planExpiryEdit(files, { dir: "policies", now: DAY("2027-07-20"), warnWithinDays: 14 });
    const loadedAt = loaded.policy.bindings
      .filter((binding) => binding.expires !== undefined)
      .map((b) => b.at);
    expect(result.expired.map((binding) => binding.at)).toEqual(loadedAt);
  });

  it("writes an emptied list as `bindings: []`, which still validates, keeping the key's comment", () => {
    const text =
      "roles: {}\nbindings: # who holds what\n  - user: b@example.com\n    roles: [r]\n    expires: 2020-01-01";
    const result = edit({ "access/a.yaml": text }, "2027-01-01");
    expect(result.changes.get("access/a.yaml")).toBe("roles: {}\nbindings: [] # who holds what\n");
  });

  it("removes several bindings of one file, first and last included", () => {
    const text = [
      "bindings:",
      "  - user: a@example.com",
      "    roles: [r]",
      "    expires: 2020-01-01",
      "  - group: stays",
      "    roles: [r]",
      "  - user: c@example.com",
      "    roles: [r]",
      "    expires: 2020-01-02",
      "",
    ].join("\n");
    const result = edit({ "access/a.yaml": text }, "2027-01-01");
    expect(result.expired).toHaveLength(2);
    expect(result.changes.get("access/a.yaml")).toBe("bindings:\n  - group: stays\n    roles: [r]\n");
  });

  it("edits a flow-style list through the Document", () => {
    const text = "bindings: [{user: b, roles: [r], expires: 2020-01-01}, {group: g, roles: [r]}]\n";
    expect(edit({ "access/a.yaml": text }, "2027-01-01").changes.get("access/a.yaml")).toBe(
      "bindings: [{group: g, roles: [r]}]\n",
    );
  });

  it("leaves alone what validate must report: broken YAML, bad dates, two subjects, files outside access/", () => {
    const result = edit(
      {
        "access/broken.yaml": "bindings:\n  - user: [unclosed\n",
        "access/odd.yaml": [
          "bindings:",
          "  - user: a@example.com",
          "    roles: [r]",
          "    expires: 2020-02-30",
          "  - user: b@example.com",
          "    group: both",
          "    roles: [r]",
          "    expires: 2020-01-01",
          "",
        ].join("\n"),
        "settings.yaml": "bindings:\n  - user: x\n    roles: [r]\n    expires: 2020-01-01\n",
      },
      "2027-01-01",
    );
    expect(result.expired).toEqual([]);
    expect(result.changes.size).toBe(0);
    expect(result.skipped).toEqual(["access/broken.yaml"]);
  });

  it("on the bundled example policy, removes Carol's exception after its last day and nothing else", async () => {
    const files = await readPolicyDir("policies");
    const result = planExpiryEdit(files, { dir: "policies", now: DAY("2027-07-01"), warnWithinDays: 14 });
    expect([...result.changes.keys()]).toEqual(["access/payments.yaml"]);
    const after = new Map([...files, ...result.changes]);
    const diagnostics = loadPolicy(after, {
      dir: "policies",
      now: DAY("2027-07-01"),
      targets: POLICY_TARGETS,
    }).diagnostics;
    expect(diagnostics).toEqual([]);
  });
});

function minimalPolicy(): [string, string][] {
  return [
    ["settings.yaml", "version: 1\npulsar:\n  manage:\n    tenants: [acme]\n"],
    [
      "identities/users/carol.yaml",
      "id: c1\nuserName: carol@example.com\nactive: true\nemails: [carol@example.com]\n",
    ],
  ];
}
