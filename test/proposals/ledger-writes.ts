import type { IdentityLedger, LedgerOperation, ResourceType, ScimResource } from "../../src/ledger/ledger.js";

/** What a SCIM POST/PUT/PATCH/DELETE leaves in any ledger, through the contract's `update` only. */
export function put(
  ledger: IdentityLedger,
  type: ResourceType,
  resource: ScimResource,
  operation: LedgerOperation = "create",
) {
  return ledger.update(type, resource.id, operation, () => resource);
}

export function patch(
  ledger: IdentityLedger,
  type: ResourceType,
  id: string,
  changes: Record<string, unknown>,
) {
  return ledger.update(type, id, "patch", (current) => ({ ...(current ?? { id }), ...changes, id }));
}

export function remove(ledger: IdentityLedger, type: ResourceType, id: string) {
  return ledger.update(type, id, "delete", () => undefined);
}
