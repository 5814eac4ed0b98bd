import { describe, expect, it } from "vitest";
import { findStaleness, parsePlanFile, PlanFileError } from "../../src/plan/saved-plan.js";
import { change, planOf, targetPlan } from "./plan-builders.js";

describe("saved plans", () => {
  const plan = planOf(targetPlan([change("grant", "alice", "namespace acme/x", null, ["consume"])]));

  it("round-trips through JSON", () => {
    expect(parsePlanFile(JSON.stringify(plan), "plan.json")).toEqual(plan);
  });

  it("refuses files that are not plans, saying how to make one", () => {
    expect(() => parsePlanFile("{", "plan.json")).toThrow(PlanFileError);
    expect(() => parsePlanFile('{"formatVersion": 2}', "p.json")).toThrow(
      "p.json is not a scim-gitops plan (formatVersion 2, expected 1): make it again with scim-gitops plan --out p.json",
    );
    const bad = { ...plan, targets: [{ ...plan.targets[0], changes: [{ action: "delete-everything" }] }] };
    expect(() => parsePlanFile(JSON.stringify(bad), "plan.json")).toThrow("targets[0].changes[0]");
  });

  it("is stale when the policy tree or a target's actual state differs, or the targets differ", () => {
    expect(findStaleness(plan, plan)).toEqual([]);
    expect(findStaleness(plan, { ...plan, policyTree: "0123456789abcdef" })).toEqual([
      "the policy changed since the plan was made (tree 4b825dc642cb, now 0123456789ab)",
    ]);
    const moved = { ...plan, targets: [{ ...plan.targets[0]!, actualFingerprint: "sha256:def" }] };
    expect(findStaleness(plan, moved)).toEqual([
      "the actual state of pulsar changed since the plan was made (someone or something wrote to it)",
    ]);
    expect(findStaleness(plan, { ...plan, targets: [] })[0]).toContain(
      "pulsar is in the plan but not being applied now",
    );
  });
});
