import { describe, expect, it } from "vitest";
import { allowedRevocations, findGuardViolations, refusingFindings } from "../../src/plan/guards.js";
import { pulsarSettings } from "../targets/pulsar/access-builder.js";
import { change, planOf, targetPlan } from "./plan-builders.js";

const revoke = (principal: string) => change("revoke", principal, "namespace acme/x", ["consume"], null);
const settings = pulsarSettings();

describe("guards", () => {
  it("allows the configured share of holders, never fewer than minRevocations", () => {
    expect(allowedRevocations(100, settings.guards)).toBe(25);
    expect(allowedRevocations(3, settings.guards)).toBe(5);
    expect(allowedRevocations(100, { maxRevocations: { count: 7 }, minRevocations: 2 })).toBe(7);
  });

  it("refuses more principals losing access than allowed, unless the operator allows it", () => {
    const plan = planOf(targetPlan(["a", "b", "c", "d", "e", "f"].map(revoke), 20));
    const findings = findGuardViolations(plan, settings);
    expect(findings.map((finding) => finding.message)).toEqual([
      "pulsar: 6 of 20 principals holding access (30%) would lose some or all of it; at most 5 may (guards.maxRevocations 25%, guards.minRevocations 5). Check the plan; if it is intended, apply with --allow-mass-revocation",
    ]);
    expect(refusingFindings(findings, { allowMassRevocation: false })).toHaveLength(1);
    expect(refusingFindings(findings, { allowMassRevocation: true })).toEqual([]);
  });

  it("counts principals, not changes, and counts narrowing updates but not grants", () => {
    const plan = planOf(
      targetPlan(
        [
          ...["a", "b", "c", "d", "e"].map(revoke),
          change("revoke", "a", "namespace acme/y", ["consume"], null),
          change("update", "f", "namespace acme/x", ["consume", "produce"], ["consume"]),
          change("grant", "g", "namespace acme/x", null, ["consume"]),
          change("update", "h", "namespace acme/x", ["consume"], ["consume", "produce"]),
        ],
        10,
      ),
    );
    expect(findGuardViolations(plan, settings)[0]?.message).toContain("6 of 10 principals");
    const fewer = planOf(targetPlan(["a", "b", "c", "d", "e"].map(revoke), 10));
    expect(findGuardViolations(fewer, settings)).toEqual([]);
  });

  it("always refuses taking access from a protected principal, flag or not", () => {
    const plan = planOf(targetPlan([revoke("admin")], 10));
    const findings = findGuardViolations(plan, settings);
    expect(findings).toHaveLength(1);
    expect(refusingFindings(findings, { allowMassRevocation: true })[0]?.message).toBe(
      "pulsar: the plan takes access away from protected principal admin on namespace acme/x; protected principals are never revoked: remove it from pulsar.protectedPrincipals first if that is really meant",
    );
  });
});
