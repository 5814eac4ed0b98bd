import type { ChangeAction, Json, PlannedChange, TargetPlan } from "./plan.js";

/** Small pieces every plan and summary renderer shares. */

/** The `--format` values (the CLI's OutputFormat), named here so the pure core imports nothing outward. */
export type PlanFormat = "text" | "markdown" | "json";

export const SYMBOL: Record<ChangeAction, string> = { revoke: "-", update: "~", grant: "+" };

/** A before/after value for a reader: `[consume, produce]`, `tenant admin`, `(none)`. */
export function showValue(value: Json): string {
  if (value === null) return "(none)";
  if (Array.isArray(value))
    return `[${value.map((item) => (typeof item === "string" ? item : JSON.stringify(item))).join(", ")}]`;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export function countActions(changes: readonly PlannedChange[]): Record<ChangeAction, number> {
  const counts: Record<ChangeAction, number> = { revoke: 0, update: 0, grant: 0 };
  for (const change of changes) counts[change.action]++;
  return counts;
}

export function describeCounts(counts: Record<ChangeAction, number>): string {
  return `${counts.revoke} to revoke, ${counts.update} to update, ${counts.grant} to grant`;
}

export function targetHeadline(target: TargetPlan): string {
  const holders = `${target.holders} principal${target.holders === 1 ? "" : "s"} hold access`;
  if (target.changes.length === 0) return `${target.target}: no changes (${holders})`;
  return `${target.target}: ${describeCounts(countActions(target.changes))} (${holders})`;
}
