/**
 * Issue 11's large policy, shared by the benches that measure against it (compile, leaver, pulsar): 10k
 * users, 1k groups of about 20, 500 roles and 2k namespaces (≈11.5k files), loaded and compiled once in
 * the bench's own process to seed the clusters and pick subjects.
 */
import { compilePolicy } from "../src/policy/compile/compile.js";
import { hasErrors, loadPolicy } from "../src/policy/load/load.js";
import type { EffectiveAccess } from "../src/policy/model/effective-access.js";
import type { Settings } from "../src/policy/model/model.js";
import { POLICY_TARGETS } from "../src/targets/registry.js";
import { generatePolicyFiles } from "./generate-policy.js";

export interface LargePolicy {
  readonly files: Map<string, string>;
  readonly settings: Settings;
  readonly desired: EffectiveAccess;
}

export function largePolicy(now: Date): LargePolicy {
  const files = generatePolicyFiles({
    users: 10_000,
    groups: 1_000,
    membersPerGroup: 20,
    roles: 500,
    namespaces: 2_000,
  });
  const loaded = loadPolicy(files, { dir: "policies", now, targets: POLICY_TARGETS });
  if (hasErrors(loaded.diagnostics)) throw new Error("the generated policy does not validate");
  return { files, settings: loaded.policy.settings, desired: compilePolicy(loaded.policy, now) };
}
