import { canonicalJson } from "./fingerprint.js";
import type { ChangeAction, Json, Plan, PlannedChange, TargetName, TargetPlan } from "./plan.js";

export class PlanFileError extends Error {
  override name = "PlanFileError";
}

/** A saved plan that no longer matches the policy or the world; the message lists why. */
export class StalePlanError extends Error {
  override name = "StalePlanError";
}

const ACTIONS: readonly ChangeAction[] = ["grant", "update", "revoke"];

/** Reads a `plan --out` file back, checking its shape: it is a file a person (or a bad merge) could edit. */
export function parsePlanFile(text: string, source: string): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(`${source} is not JSON: make it again with scim-gitops plan --out ${source}`, {
      cause: error,
    });
  }
  const fail = (what: string): never => {
    throw new PlanFileError(
      `${source} is not a scim-gitops plan (${what}): make it again with scim-gitops plan --out ${source}`,
    );
  };
  const plan = record(value) ?? fail("not an object");
  if (plan.formatVersion !== 1) fail(`formatVersion ${JSON.stringify(plan.formatVersion)}, expected 1`);
  if (plan.policyTree !== null && typeof plan.policyTree !== "string") fail("policyTree");
  if (typeof plan.createdAt !== "string") fail("createdAt");
  if (!Array.isArray(plan.targets)) fail("targets");
  const targets = (plan.targets as unknown[]).map((item, index): TargetPlan => {
    const target = record(item) ?? fail(`targets[${index}]`);
    const name = target.target as TargetName;
    // Which names are known is the registry's business: a plan naming another target is refused as stale.
    if (typeof name !== "string" || !/^[a-z][a-z0-9-]*$/.test(name)) fail(`targets[${index}].target`);
    if (typeof target.actualFingerprint !== "string") fail(`targets[${index}].actualFingerprint`);
    if (typeof target.holders !== "number") fail(`targets[${index}].holders`);
    if (!Array.isArray(target.changes) || !Array.isArray(target.notices)) fail(`targets[${index}].changes`);
    const changes = (target.changes as unknown[]).map((raw, at): PlannedChange => {
      const change = record(raw) ?? fail(`targets[${index}].changes[${at}]`);
      const ok =
        change.target === name &&
        ACTIONS.includes(change.action as ChangeAction) &&
        typeof change.principal === "string" &&
        typeof change.resource === "string" &&
        typeof change.narrows === "boolean" &&
        typeof change.reason === "string" &&
        "operation" in change;
      if (!ok) fail(`targets[${index}].changes[${at}]`);
      return change as unknown as PlannedChange;
    });
    return {
      target: name,
      actualFingerprint: target.actualFingerprint as string,
      holders: target.holders as number,
      changes,
      notices: (target.notices as unknown[]).map(String),
    };
  });
  return {
    formatVersion: 1,
    policyTree: plan.policyTree as string | null,
    createdAt: plan.createdAt as string,
    targets,
  };
}

/**
 * Why a saved plan may no longer be applied, compared with a plan made now from the same inputs (empty
 * when it is still current). Terraform's rule: the world must not have moved since the plan was made.
 */
export function findStaleness(saved: Plan, current: Plan): string[] {
  const reasons: string[] = [];
  if (saved.policyTree !== current.policyTree) {
    reasons.push(
      `the policy changed since the plan was made (tree ${short(saved.policyTree)}, now ${short(current.policyTree)})`,
    );
  }
  const now = new Map(current.targets.map((target) => [target.target, target]));
  for (const target of saved.targets) {
    const fresh = now.get(target.target);
    if (fresh === undefined)
      reasons.push(
        `${target.target} is in the plan but not being applied now (not configured or not selected)`,
      );
    else if (fresh.actualFingerprint !== target.actualFingerprint) {
      reasons.push(
        `the actual state of ${target.target} changed since the plan was made (someone or something wrote to it)`,
      );
    } else if (reasons.length === 0 && canonicalJson(fresh.changes) !== canonicalJson(target.changes)) {
      // Same policy, same state, different changes: the file was edited, or another version made it.
      reasons.push(
        `the changes for ${target.target} are not what this policy and state call for (was the plan edited, or made by another version?)`,
      );
    }
  }
  for (const target of current.targets) {
    if (!saved.targets.some((each) => each.target === target.target)) {
      reasons.push(
        `${target.target} is being applied now but the plan does not cover it: pass --target to match the plan`,
      );
    }
  }
  return reasons;
}

function short(tree: string | null): string {
  return tree === null ? "none" : tree.slice(0, 12);
}

function record(value: unknown): Record<string, Json> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, Json>)
    : undefined;
}
