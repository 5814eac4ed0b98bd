import { describe, expect, it } from "vitest";
import { generatePolicyFiles } from "../../bench/generate-policy.js";
import { formatDiagnostic, loadPolicy } from "../../src/policy/load/load.js";
import { NOW } from "./load-helpers.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";
import { pulsarPolicy } from "../../src/targets/pulsar/policy/pulsar-policy.js";

const SMALL = { users: 200, groups: 20, membersPerGroup: 10, roles: 10, namespaces: 40 };

describe("the benchmark's generated policy", () => {
  it("is the same every time, so benchmarks compare like with like", () => {
    expect(generatePolicyFiles(SMALL)).toEqual(generatePolicyFiles(SMALL));
  });

  it("validates without a single diagnostic and has the sizes asked for", () => {
    const files = generatePolicyFiles(SMALL);
    const { policy, diagnostics } = loadPolicy(files, { dir: "policies", now: NOW, targets: POLICY_TARGETS });
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(policy.users).toHaveLength(200);
    expect(policy.groups).toHaveLength(20);
    expect(policy.groups.every((group) => group.members.length === 10)).toBe(true);
    expect(policy.roles.size).toBe(10);
    const namespaces = new Set(
      [...policy.roles.values()].flatMap((role) =>
        pulsarPolicy
          .entriesOf(role)
          .flatMap((entry) => (entry.kind === "namespace" ? [entry.namespace] : [])),
      ),
    );
    expect(namespaces.size).toBe(40);
  });
});
