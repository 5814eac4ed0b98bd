import type { ChangeAction, PlannedChange } from "./plan.js";

const RANK: Record<ChangeAction, number> = { revoke: 0, update: 1, grant: 2 };

/** Revocations first, then updates, then grants; by resource, then principal, within each. */
export function orderChanges(changes: readonly PlannedChange[]): PlannedChange[] {
  return [...changes].sort(
    (a, b) =>
      RANK[a.action] - RANK[b.action] ||
      compareText(a.resource, b.resource) ||
      compareText(a.principal, b.principal),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
