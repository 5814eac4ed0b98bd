import type { Plan, TargetApplyResult } from "../plan/plan.js";
import type { Settings } from "../policy/model/model.js";
import type { ApplyContext } from "../targets/target.js";
import type { OpenTarget } from "./engine-input.js";

/**
 * Each target's changes in turn (each target orders its own: revocations first). A target that throws
 * outright has all its changes reported failed, and the rest go on (STYLE habit 7).
 */
export async function applyPlan(
  plan: Plan,
  targets: readonly OpenTarget[],
  settings: Settings,
  context: ApplyContext,
): Promise<TargetApplyResult[]> {
  const results: TargetApplyResult[] = [];
  for (const targetPlan of plan.targets) {
    const open = targets.find(({ target }) => target.name === targetPlan.target);
    if (targetPlan.changes.length === 0 || open === undefined) {
      results.push({ target: targetPlan.target, results: [], evidence: [] });
      continue;
    }
    try {
      results.push(await open.target.apply(open.connection, targetPlan, settings, context));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.push({
        target: targetPlan.target,
        results: targetPlan.changes.map((change) => ({ change, ok: false, error: message })),
        evidence: [],
      });
    }
  }
  return results;
}
