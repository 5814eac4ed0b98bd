import { loadPolicy } from "../policy/load/load.js";
import type { Settings } from "../policy/model/model.js";
import { POLICY_TARGETS } from "../targets/registry.js";

/**
 * `emergency` and `guards` from a `settings.yaml` text, normalised by the policy loader itself (defaults
 * included), so the proposer never reads the settings schema twice.
 */
export function proposalSettingsFrom(
  settingsText: string | undefined,
  options: { readonly dir: string; readonly now: Date },
): Pick<Settings, "emergency" | "guards"> {
  const files = new Map([["settings.yaml", settingsText ?? ""]]);
  const { settings } = loadPolicy(files, { ...options, targets: POLICY_TARGETS }).policy;
  return { emergency: settings.emergency, guards: settings.guards };
}

export function emergencySettingsFrom(
  settingsText: string | undefined,
  options: { readonly dir: string; readonly now: Date },
): Settings["emergency"] {
  return proposalSettingsFrom(settingsText, options).emergency;
}
