import { loadPolicy } from "../policy/load/load.js";
import type { Settings } from "../policy/model/model.js";

/**
 * `emergency` from a `settings.yaml` text, normalised by the policy loader itself (defaults included), so
 * the proposer never reads the settings schema twice.
 */
export function emergencySettingsFrom(
  settingsText: string | undefined,
  options: { readonly dir: string; readonly now: Date },
): Settings["emergency"] {
  return loadPolicy(new Map([["settings.yaml", settingsText ?? ""]]), options).policy.settings.emergency;
}
