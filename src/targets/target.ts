import type { EffectiveAccess } from "../policy/model/effective-access.js";
import type { Settings } from "../policy/model/model.js";
import type { Config } from "../config.js";
import type { AnyTargetPolicy } from "../policy/targets/target-policy.js";
import type { TargetApplyResult, TargetName, TargetPlan } from "../plan/plan.js";

/** What apply knows about the change it performs, for the target's own audit fields. */
export interface ApplyContext {
  /** The commit the policy was read from (main's head, GITHUB_SHA in CI); absent when the caller cannot say. */
  readonly revision?: string;
}

/**
 * What a revocation-first pass reads (DESIGN §5: a leaver waits for no review, and then for no full read of
 * a large cluster either): the principals that lose access and the resources they held it on before.
 */
export interface RevocationScope {
  readonly principals: ReadonlySet<string>;
  /** As the access diff names them: `namespace` `acme/payments`, `topic` …, `tenant` `acme`, `account` `APP`. */
  readonly resources: readonly { readonly kind: string; readonly name: string }[];
}

/**
 * One module per target, same small interface (STYLE habit 4): read actual, compare, apply. A new target
 * is one folder under `targets/` and one line in `registry.ts`.
 */
export interface Target<Connection, Actual> {
  /** The same as `policy.name`. */
  readonly name: TargetName;
  /** Its part of the policy: role entries, settings section, compile, diff and explain (pure). */
  readonly policy: AnyTargetPolicy;
  /** What to set when the target is not configured, e.g. `set PULSAR_ADMIN_URL and PULSAR_TOKEN`. */
  readonly connectionHint?: string;
  /** The connection the environment describes, or `undefined` when this target is not configured. */
  connect(config: Config): Connection | undefined;
  /** Whether the settings give this target anything to manage. */
  isManaged(settings: Settings): boolean;
  /**
   * Read the actual state of the managed scope; with `scope`, only the part of it that scope touches (at
   * least every managed resource it names and every entry of its principals), which is all a plan of
   * those principals' revocations needs.
   */
  readActual(connection: Connection, settings: Settings, scope?: RevocationScope): Promise<Actual>;
  /** Pure: compare desired with actual. */
  plan(desired: EffectiveAccess, settings: Settings, actual: Actual): TargetPlan;
  /** Perform a plan's changes, revocations first; keeps going past a failure and reports each result. */
  apply(
    connection: Connection,
    plan: TargetPlan,
    settings: Settings,
    context: ApplyContext,
  ): Promise<TargetApplyResult>;
  /** Release sockets and timers. */
  close?(connection: Connection): Promise<void>;
}

// Targets differ in their connection and state types; the registry erases them at this one boundary.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTarget = Target<any, any>;
