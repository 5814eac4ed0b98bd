import {
  TargetRegistryError,
  definePolicyTargets,
  type PolicyTargets,
} from "../policy/targets/policy-targets.js";
import type { AnyTarget } from "./target.js";
import { pulsarTarget } from "./pulsar/pulsar-target.js";
import { natsTarget } from "./nats/nats-target.js";

/** Every target scim-gitops can plan and apply, in the order their plans and policy parts are shown. */
export const TARGETS: readonly AnyTarget[] = [pulsarTarget, natsTarget];

const built = new WeakMap<readonly AnyTarget[], PolicyTargets>();

/** The policy parts of `targets`, in their order, with the schemas they make, built once per registry. */
export function policyTargetsOf(targets: readonly AnyTarget[]): PolicyTargets {
  let parts = built.get(targets);
  if (parts === undefined) {
    const misnamed = targets.find((target) => target.name !== target.policy.name);
    if (misnamed !== undefined) {
      throw new TargetRegistryError(
        `target ${misnamed.name} points at the policy part of ${misnamed.policy.name}; give both one name`,
      );
    }
    parts = definePolicyTargets(targets.map((target) => target.policy));
    built.set(targets, parts);
  }
  return parts;
}

/** The built-in registry's policy parts. */
export const POLICY_TARGETS: PolicyTargets = policyTargetsOf(TARGETS);
