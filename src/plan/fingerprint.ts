import { createHash } from "node:crypto";

/**
 * A stable sha256 of a JSON-like value: object keys sorted at every depth, arrays kept in order (readers
 * sort sets before they get here). `apply --plan` compares it to refuse a plan whose world moved.
 */
export function fingerprintState(value: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(value)).digest("hex")}`;
}

export function canonicalJson(value: unknown): string {
  // The replacer hands JSON.stringify a key-sorted copy of each object: native speed on large states.
  return (
    JSON.stringify(value, (_key, item: unknown) => {
      if (item instanceof Map) return sortKeys(Object.fromEntries(item as Map<string, unknown>));
      if (item instanceof Set) return [...(item as Set<unknown>)];
      if (item !== null && typeof item === "object" && !Array.isArray(item)) {
        return sortKeys(item as Record<string, unknown>);
      }
      return item;
    }) ?? "null"
  );
}

function sortKeys(record: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key];
  return sorted;
}
