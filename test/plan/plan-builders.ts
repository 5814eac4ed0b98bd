import type { PlannedChange, Plan, TargetPlan } from "../../src/plan/plan.js";

/** In-memory plans for the pure plan core. */

export function change(
  action: PlannedChange["action"],
  principal: string,
  resource: string,
  before: PlannedChange["before"],
  after: PlannedChange["after"],
  reason = "group:engineers → writer (policies/access/team.yaml:4:9)",
): PlannedChange {
  return {
    target: "pulsar",
    action,
    principal,
    resource,
    before,
    after,
    narrows:
      action === "revoke" ||
      (action === "update" &&
        Array.isArray(before) &&
        Array.isArray(after) &&
        before.some((item) => !after.includes(item))),
    reason,
    operation: { op: "noop" },
  };
}

export function targetPlan(changes: PlannedChange[], holders = 10, notices: string[] = []): TargetPlan {
  return { target: "pulsar", actualFingerprint: "sha256:abc", holders, changes, notices };
}

export function planOf(...targets: TargetPlan[]): Plan {
  return {
    formatVersion: 1,
    policyTree: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    createdAt: "2026-11-29T02:00:00.000Z",
    targets,
  };
}
