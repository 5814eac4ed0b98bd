import type { Provenance } from "../policy/model/effective-access.js";

const SHOWN = 3;

/**
 * A planned change's reason for a reviewer: which bindings and roles want it and where each role entry is
 * written, the first few of them. Every target words its grants' reasons this way.
 */
export function summariseProvenance(because: readonly Provenance[]): string {
  if (because.length === 0) return "wanted by the policy";
  const shown = because
    .slice(0, SHOWN)
    .map(
      (item) =>
        `${item.subject} → ${item.role} (${item.roleEntry.file}:${item.roleEntry.line}:${item.roleEntry.col})`,
    );
  const more = because.length > SHOWN ? `; +${because.length - SHOWN} more` : "";
  return `${shown.join("; ")}${more}`;
}
