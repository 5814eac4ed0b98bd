import { loadPolicy } from "../policy/load/load.js";
import type { Settings } from "../policy/model/model.js";
import { POLICY_TARGETS } from "../targets/registry.js";

/**
 * `emergency` from a `settings.yaml` text, normalised by the policy loader itself (defaults included), so
 * the proposer never reads the settings schema twice.
 */
export function emergencySettingsFrom(
  settingsText: string | undefined,
  options: { readonly dir: string; readonly now: Date },
): Settings["emergency"] {
  const files = new Map([["settings.yaml", settingsText ?? ""]]);
  return loadPolicy(files, { ...options, targets: POLICY_TARGETS }).policy.settings.emergency;
}
