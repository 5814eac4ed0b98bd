import type { BindingSource, RoleSource } from "../load/load-access.js";
import type { Diagnostic, Policy } from "../model/model.js";

/** What every cross-file rule reads: the loaded policy plus where each part was written. */
export interface RuleInput {
  readonly policy: Policy;
  /** Every role as written, duplicates included (the policy keeps the first of a name). */
  readonly roles: readonly RoleSource[];
  readonly bindings: readonly BindingSource[];
  readonly diagnostics: Diagnostic[];
  readonly now: Date;
}

export type PolicyRule = (input: RuleInput) => void;
