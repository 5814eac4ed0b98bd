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
  return JSON.stringify(value, sortingReplacer) ?? "null";
}

function sortingReplacer(_key: string, item: unknown): unknown {
  if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
  if (item instanceof Map) return sortKeys(Object.fromEntries(item as Map<string, unknown>));
  if (item instanceof Set) return [...(item as Set<unknown>)];
  // States arrive sorted (their readers sort them): such an object is its own sorted copy, key for key,
  // so it is written as it is instead of copied.
  const keys = Object.keys(item);
  return isSorted(keys) ? item : sortKeys(item as Record<string, unknown>);
}

function isSorted(keys: readonly string[]): boolean {
  for (let index = 1; index < keys.length; index++) {
    if (!((keys[index - 1] as string) < (keys[index] as string))) return false;
  }
  return true;
}

function sortKeys(record: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key];
  return sorted;
}
