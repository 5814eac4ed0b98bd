import type { LedgerChange } from "../ledger/ledger.js";
import type { EmergencyTrigger } from "../policy/model/model.js";
import type { OperationRef } from "./commit-message.js";
import { isActive, memberIds } from "./identity-fields.js";

export const DEFAULT_TRIGGERS: readonly EmergencyTrigger[] = ["deactivated", "deleted"];

export type EmergencyCase =
  | {
      readonly trigger: "deactivated" | "deleted";
      readonly kind: "user";
      readonly id: string;
      /** As the IdP last knew it, for logs and the commit subject. */
      readonly userName: string;
      /** Undefined when found at start-up (the change was acknowledged while no proposer ran). */
      readonly operation: OperationRef | undefined;
      readonly at: string;
    }
  | {
      readonly trigger: "removed-from-group";
      readonly kind: "group";
      readonly id: string;
      readonly displayName: string;
      /** SCIM ids of the users who left the group; every member when the group itself was deleted. */
      readonly removedMemberIds: readonly string[];
      readonly groupDeleted: boolean;
      readonly operation: OperationRef;
      readonly at: string;
    };

/**
 * Whether a ledger change is an emergency under `triggers` (settings `emergency.triggers`): a user going
 * from active to inactive, a user deleted, or (when configured) members leaving a group.
 */
export function detectEmergency(
  change: LedgerChange,
  triggers: readonly EmergencyTrigger[],
): EmergencyCase | undefined {
  const operation = { seq: change.seq, type: change.type, id: change.id, operation: change.operation };
  const common = { id: change.id, operation, at: change.at };
  if (change.type === "User") {
    const userName = textOf(change.before?.["userName"]) ?? textOf(change.after?.["userName"]) ?? change.id;
    if (change.after === undefined) {
      if (change.before === undefined || !triggers.includes("deleted")) return undefined;
      return { ...common, trigger: "deleted", kind: "user", userName };
    }
    if (change.before !== undefined && isActive(change.before) && !isActive(change.after)) {
      return triggers.includes("deactivated")
        ? { ...common, trigger: "deactivated", kind: "user", userName }
        : undefined;
    }
    return undefined;
  }
  if (!triggers.includes("removed-from-group") || change.before === undefined) return undefined;
  const remaining = new Set(memberIds(change.after));
  const removed = memberIds(change.before).filter((id) => !remaining.has(id));
  if (removed.length === 0) return undefined;
  return {
    ...common,
    trigger: "removed-from-group",
    kind: "group",
    displayName: textOf(change.before["displayName"]) ?? change.id,
    removedMemberIds: [...new Set(removed)],
    groupDeleted: change.after === undefined,
  };
}

function textOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
