import type { FileReport } from "./load-diagnostics.js";
import type { Binding, Role } from "../model/model.js";
import type { AccessInput } from "../schema/access.js";
import type { AnyTargetPolicy, TargetEntry } from "../targets/target-policy.js";

/** A role with the file it came from, so cross-file rules can report against it. */
export interface RoleSource {
  readonly role: Role;
  readonly report: FileReport;
  readonly offset: number;
  /** Per target name, the offsets of the role's entries, in the order of `role.entries`. */
  readonly offsets: ReadonlyMap<string, readonly number[]>;
}

export interface BindingSource {
  readonly binding: Binding;
  readonly report: FileReport;
  readonly offset: number;
  readonly subjectOffset: number;
  readonly roleRefs: readonly { readonly name: string; readonly offset: number }[];
  readonly expiresOffset?: number;
}

export function normalizeAccess(
  input: AccessInput,
  report: FileReport,
  targets: readonly AnyTargetPolicy[],
): { roles: RoleSource[]; bindings: BindingSource[] } {
  const roles: RoleSource[] = [];
  for (const entry of input.roles ?? []) {
    const value = entry.value;
    const entries = new Map<string, readonly TargetEntry[]>();
    const offsets = new Map<string, readonly number[]>();
    let granted = 0;
    let written = false;
    for (const target of targets) {
      const items = (value?.[target.name] ?? []) as readonly { readonly $offset: number }[];
      const kept: TargetEntry[] = [];
      const at: number[] = [];
      for (const item of items) {
        const normalized = target.normalizeEntry(item, report) as TargetEntry | undefined;
        if (normalized === undefined) continue;
        kept.push(normalized);
        at.push(item.$offset);
      }
      entries.set(target.name, kept);
      offsets.set(target.name, at);
      granted += kept.length;
      written ||= value?.[target.name] !== undefined;
    }
    roles.push({
      role: {
        name: entry.key,
        ...(value?.description === undefined ? {} : { description: value.description }),
        entries,
        at: report.at(entry.keyOffset),
      },
      report,
      offset: entry.keyOffset,
      offsets,
    });
    if (value !== undefined && granted === 0 && !written) {
      const keys = targets.map((target) => `\`${target.name}:\``);
      report.warning(
        entry.keyOffset,
        `role \`${entry.key}\` grants nothing; add ${joinAlternatives(keys)} entries, or remove it`,
      );
    }
  }
  const bindings: BindingSource[] = [];
  for (const item of input.bindings ?? []) {
    const source = toBindingSource(item, report);
    if (source !== undefined) bindings.push(source);
  }
  return { roles, bindings };
}

/** `a`, `a or b`, `a, b or c`. */
function joinAlternatives(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1] ?? ""}`;
}

function toBindingSource(
  item: NonNullable<AccessInput["bindings"]>[number],
  report: FileReport,
): BindingSource | undefined {
  const { group, user } = item;
  if (group !== undefined && user !== undefined) {
    report.error(item.$offset, "a binding names both a `group` and a `user`; split it into two bindings");
    return undefined;
  }
  if (group === undefined && user === undefined) {
    if (item.$keys.group === undefined && item.$keys.user === undefined) {
      report.error(item.$offset, "a binding names no `group` or `user`; add one of them");
    }
    return undefined;
  }
  const kind = group === undefined ? "user" : "group";
  const roleRefs = (item.roles ?? []).map((ref) => ({ name: ref.value, offset: ref.offset }));
  return {
    binding: {
      subject: { kind, name: (group ?? user) as string },
      roles: roleRefs.map((ref) => ref.name),
      ...(item.expires === undefined ? {} : { expires: item.expires }),
      at: report.at(item.$offset),
    },
    report,
    offset: item.$offset,
    subjectOffset: item.$values[kind] ?? item.$offset,
    roleRefs,
    ...(item.$values.expires === undefined || item.expires === undefined
      ? {}
      : { expiresOffset: item.$values.expires }),
  };
}
