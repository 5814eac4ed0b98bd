import { beforeAll, describe, expect, it } from "vitest";
import { planExpiryEdit } from "../../src/policy/expiry/plan-expiry-edit.js";
import { proveExpiryRemoval } from "../../src/policy/expiry/prove-expiry-removal.js";
import { readPolicyDir } from "../../src/repos/policy-files.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";

const NOW = new Date("2027-07-01T06:00:00Z");
const OPTIONS = { dir: "policies", now: NOW, targets: POLICY_TARGETS };

let example: Map<string, string>;
beforeAll(async () => {
  example = await readPolicyDir("policies");
});

function removal(files: Map<string, string>) {
  const edit = planExpiryEdit(files, { dir: "policies", now: NOW, warnWithinDays: 14 });
  return { edit, after: new Map([...files, ...edit.changes]) };
}

describe("proveExpiryRemoval", () => {
  it("proves the example's expired exception revocation-only and says what the clusters lose", () => {
    const { edit, after } = removal(example);
    const proof = proveExpiryRemoval(example, after, edit.expired, OPTIONS);
    expect(proof.verdict).toBe("revocation-only");
    if (proof.verdict === "refused") return;
    expect(proof.diff.grants).toBe(0);
    expect(proof.diff.people.map((person) => person.userName)).toEqual(["carol@example.com"]);
    const lost = proof.diff.people[0]!.changes.flatMap((change) =>
      change.lost.map((what) => `${change.target} ${what}`),
    );
    expect(lost).toEqual(expect.arrayContaining(["pulsar consume"]));
    expect(proof.diff.people[0]!.changes[0]!.lostBecause[0]).toMatchObject({
      subject: "user:carol@example.com",
      role: "payments-reader",
    });
    expect(proof.holders.get("pulsar")).toBeGreaterThan(0);
    expect(proof.settings.emergency.expiry).toBe(false);
  });

  it("refuses an edit that also touches a live binding: that would change what people hold today", () => {
    const { edit, after } = removal(example);
    const payments = after.get("access/payments.yaml")!;
    const cut = payments.replace("roles: [payments-writer]\n", "roles: [payments-reader]\n");
    expect(cut).not.toBe(payments);
    const proof = proveExpiryRemoval(
      example,
      new Map([...after, ["access/payments.yaml", cut]]),
      edit.expired,
      OPTIONS,
    );
    expect(proof).toMatchObject({ verdict: "refused" });
    expect(proof.reason).toMatch(
      /changes what 2 person\(s\) hold today \(\d+ grant\(s\), \d+ revocation\(s\)\)/,
    );
  });

  it("refuses an edit that cuts a live binding, though that only revokes: it is not an expiry removal", () => {
    const extra = [
      "bindings:",
      "  - user: alice@example.com",
      "    roles: [payments-reader]",
      "  - user: erin@example.com",
      "    roles: [payments-reader]",
      "",
    ].join("\n");
    const files = new Map([...example, ["access/extra.yaml", extra]]);
    const { edit, after } = removal(files);
    const cut = extra.replace("  - user: alice@example.com\n    roles: [payments-reader]\n", "");
    const proof = proveExpiryRemoval(
      files,
      new Map([...after, ["access/extra.yaml", cut]]),
      edit.expired,
      OPTIONS,
    );
    expect(proof).toMatchObject({
      verdict: "refused",
      reason: expect.stringMatching(/changes what 1 person\(s\) hold today \(0 grant\(s\), \d+ revocation/),
    });
  });

  it("refuses an edit that breaks the policy", () => {
    const { edit, after } = removal(example);
    const broken = new Map([...after, ["access/payments.yaml", "bindings:\n  - user: [unclosed\n"]]);
    expect(proveExpiryRemoval(example, broken, edit.expired, OPTIONS)).toMatchObject({
      verdict: "refused",
      reason: expect.stringMatching(/adds \d+ policy error\(s\)/),
    });
  });

  it("sends to review a removal that lifts a NATS deny the expired binding carried", () => {
    const audit = [
      "roles:",
      "  audit-reader:",
      "    nats:",
      "      - account: APP",
      "        subscribe:",
      '          allow: ["audit.>"]',
      '          deny: ["search.>"]',
      "bindings:",
      "  - user: carol@example.com",
      "    roles: [audit-reader]",
      "    expires: 2027-06-15",
      "",
    ].join("\n");
    const files = new Map([...example, ["access/audit.yaml", audit]]);
    const { edit, after } = removal(files);
    expect(edit.expired.map((binding) => binding.roles[0])).toEqual(["audit-reader", "payments-reader"]);
    const proof = proveExpiryRemoval(files, after, edit.expired, OPTIONS);
    expect(proof).toMatchObject({ verdict: "needs-review", reason: expect.stringMatching(/NATS deny/) });
    if (proof.verdict === "refused") return;
    expect(
      proof.diff.people[0]!.changes.some((change) => change.denyLifted.includes("subscribe search.>")),
    ).toBe(true);
  });
});
