import type { TargetPlan } from "../plan/plan.js";
import type { EffectiveAccess } from "../policy/model/effective-access.js";
import type { Settings } from "../policy/model/model.js";
import type { OpenTarget } from "./engine-input.js";

/** Reads each managed target's actual state and compares it with the desired access, one target at a time. */
export async function planTargets(
  targets: readonly OpenTarget[],
  desired: EffectiveAccess,
  settings: Settings,
  notice: (text: string) => void,
): Promise<TargetPlan[]> {
  const plans: TargetPlan[] = [];
  for (const { target, connection } of targets) {
    if (!target.isManaged(settings)) {
      notice(`skipping ${target.name}: settings.yaml gives it nothing to manage`);
      continue;
    }
    const actual: unknown = await target.readActual(connection, settings);
    plans.push(target.plan(desired, settings, actual));
  }
  return plans;
}
