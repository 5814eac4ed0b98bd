import type { Plan } from "../plan/plan.js";
import type { EffectiveAccess } from "../policy/model/effective-access.js";
import type { Diagnostic } from "../policy/model/model.js";
import type { PolicyTargets } from "../policy/targets/policy-targets.js";
import type { AnyTarget } from "../targets/target.js";

/** A target adapter with the connection it was opened with (see `openTargets`). */
export interface OpenTarget {
  readonly target: AnyTarget;
  readonly connection: unknown;
}

/**
 * What the engine plans from: the policy files in memory, wherever they were read (a directory, a commit),
 * and the targets to read and write. No file system, no environment, no clock of its own.
 */
export interface PolicyInput {
  /** Path inside the policy directory → text, e.g. `access/payments.yaml`. */
  readonly files: ReadonlyMap<string, string>;
  /** The commit (or tree hash) the files came from, recorded by targets that keep an audit field. */
  readonly revision?: string;
  /** How diagnostics name the policy directory, e.g. `policies`. */
  readonly display: string;
  /** In the order their plans are shown. */
  readonly targets: readonly OpenTarget[];
  /** Every registered target's policy part, opened or not: the policy's settings and roles may name any. */
  readonly policyTargets: PolicyTargets;
  readonly now: Date;
  /** Things a person should know that are neither diagnostics nor changes (a target skipped, and why). */
  readonly notice: (text: string) => void;
  /**
   * Called with the policy's diagnostics as soon as it is loaded, before any target is read, so they reach
   * a person even when a target then fails. The outcome carries them as well.
   */
  readonly diagnostics?: (found: readonly Diagnostic[]) => void;
}

export interface ApplyOptions {
  /** Let more principals lose access than `guards.maxRevocations` allows. */
  readonly allowMassRevocation: boolean;
  /** A plan made earlier (`plan --out`): applied instead of a fresh one, and refused when stale. */
  readonly savedPlan?: Plan;
  /** Plan, run the guards and the staleness check, and write nothing. */
  readonly dryRun: boolean;
  /**
   * The access the policy applied last time gave (serve --apply-on-merge keeps it): what this policy takes
   * away from it is revoked first, reading only what those principals held, before the full plan.
   */
  readonly previous?: EffectiveAccess;
  /**
   * Called with the plan once the guards and the staleness check passed, just before the first write, so
   * a CI log shows what is being applied even when the job is cut short.
   */
  readonly beforeApply?: (plan: Plan) => void;
}
