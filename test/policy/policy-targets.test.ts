import { describe, expect, it } from "vitest";
import { TargetRegistryError, definePolicyTargets } from "../../src/policy/targets/policy-targets.js";
import { natsPolicy } from "../../src/targets/nats/policy/nats-policy.js";
import { pulsarPolicy } from "../../src/targets/pulsar/policy/pulsar-policy.js";
import { POLICY_TARGETS, TARGETS, policyTargetsOf } from "../../src/targets/registry.js";

describe("the policy targets of a registry", () => {
  it("keep the registry's order, which is the order settings, roles and output follow", () => {
    expect(POLICY_TARGETS.parts.map((part) => part.name)).toEqual(["pulsar", "nats"]);
  });

  it("refuse a name used twice or one that would shadow a settings.yaml or role key", () => {
    expect(() => definePolicyTargets([pulsarPolicy, pulsarPolicy])).toThrow(TargetRegistryError);
    for (const name of ["version", "guards", "emergency", "description", "Kafka"]) {
      expect(() => definePolicyTargets([natsPolicy, { ...pulsarPolicy, name }])).toThrow(
        `target name ${JSON.stringify(name)} is reserved, repeated or not lower-case`,
      );
    }
  });

  it("refuse an adapter whose policy part carries another name", () => {
    const [pulsar, nats] = TARGETS;
    expect(() => policyTargetsOf([{ ...pulsar!, policy: nats!.policy }])).toThrow(
      "target pulsar points at the policy part of nats; give both one name",
    );
  });
});
