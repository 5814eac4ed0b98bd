import type { CommandContext } from "./command.js";
import type { PolicyTargets } from "../policy/targets/policy-targets.js";
import { TARGETS, policyTargetsOf } from "../targets/registry.js";
import type { AnyTarget } from "../targets/target.js";

/** The targets a command works with: the context's, else the registry's. */
export function targetsOf(context: CommandContext): readonly AnyTarget[] {
  return context.targets ?? TARGETS;
}

/** Their policy parts, which loading, compiling, diffing and explaining take. */
export function policyTargetsFor(context: CommandContext): PolicyTargets {
  return policyTargetsOf(targetsOf(context));
}
