import type { IdentityLedger } from "../ledger/ledger.js";
import type { EmergencyTrigger } from "../policy/model/model.js";
import type { EmergencyCase } from "./emergency-trigger.js";
import { isActive } from "./identity-fields.js";
import { userFieldsFromFile } from "./identity-fields.js";
import type { IdentityFiles, IdentityRenderer } from "./render-identities.js";

/**
 * Deactivations the ledger acknowledged while no proposer ran (a crash between the 2xx and the merge): a
 * user inactive in the ledger but active on main. Only explicit deactivations count: a user merely absent
 * from the ledger might be a lost data directory, and revoking everyone on that guess is worse than waiting
 * for review on the sync branch.
 */
export function recoverEmergencies(
  ledger: IdentityLedger,
  main: IdentityFiles,
  renderer: IdentityRenderer,
  triggers: readonly EmergencyTrigger[],
  at: string,
): EmergencyCase[] {
  if (!triggers.includes("deactivated")) return [];
  const { users } = renderer.indexById(main);
  const found: EmergencyCase[] = [];
  for (const user of ledger.list("User")) {
    if (isActive(user)) continue;
    const path = users.get(user.id);
    const text = path === undefined ? undefined : main.get(path);
    const onMain = text === undefined ? undefined : userFieldsFromFile(text);
    if (onMain === undefined || !onMain.active || onMain.deleted !== undefined) continue;
    found.push({
      trigger: "deactivated",
      kind: "user",
      id: user.id,
      userName: onMain.userName,
      operation: undefined,
      at,
    });
  }
  return found;
}
