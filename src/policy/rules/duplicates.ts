import type { SourceLocation } from "../model/model.js";
import type { RuleInput } from "./rule-input.js";

function where(at: SourceLocation): string {
  return `${at.file}:${at.line}:${at.col}`;
}

/** Role names are global across access files: a second definition would silently lose to the first. */
export function checkDuplicateRoles(input: RuleInput): void {
  const first = new Map<string, SourceLocation>();
  for (const source of input.roles) {
    const earlier = first.get(source.role.name);
    if (earlier === undefined) {
      first.set(source.role.name, source.role.at);
      continue;
    }
    source.report.error(
      source.offset,
      `role \`${source.role.name}\` is already defined at ${where(earlier)}; rename one of them or merge them`,
    );
  }
}

/**
 * SCIM ids are unique, and userName and group displayName are unique case-insensitively (as the SCIM
 * service enforces); two files claiming one would make access depend on file order.
 */
export function checkDuplicateIdentities(input: RuleInput): void {
  const { users, groups } = input.policy;
  reportRepeats(input, users, (user) => user.id, "SCIM id", "user");
  reportRepeats(input, users, (user) => user.userName.toLowerCase(), "userName", "user");
  reportRepeats(input, groups, (group) => group.id, "SCIM id", "group");
  reportRepeats(input, groups, (group) => group.displayName.toLowerCase(), "displayName", "group");
}

function reportRepeats<T extends { readonly at: SourceLocation }>(
  input: RuleInput,
  items: readonly T[],
  keyOf: (item: T) => string,
  field: string,
  noun: string,
): void {
  const first = new Map<string, SourceLocation>();
  for (const item of items) {
    const key = keyOf(item);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, item.at);
      continue;
    }
    input.diagnostics.push({
      severity: "error",
      at: item.at,
      message: `this ${noun} has the same ${field} (${JSON.stringify(key)}) as ${where(earlier)}; keep one file per identity and delete the other`,
    });
  }
}
