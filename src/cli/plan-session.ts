import type { CommandContext } from "./command.js";
import { ReportedFailure, UsageError } from "./errors.js";
import { targetsOf } from "./context-targets.js";
import { loadPolicyDir, type LoadedPolicyDir } from "./load-policy-dir.js";
import { formatDiagnostic, hasErrors } from "../policy/load/load.js";
import { compilePolicy } from "../policy/compile/compile.js";
import type { EffectiveAccess } from "../policy/model/effective-access.js";
import type { Settings } from "../policy/model/model.js";
import type { Plan, TargetName, TargetPlan } from "../plan/plan.js";
import { hashPolicyTree } from "../plan/policy-tree.js";
import { findGuardViolations, type GuardFinding } from "../plan/guards.js";
import type { AnyTarget } from "../targets/target.js";

export interface OpenTarget {
  readonly target: AnyTarget;
  readonly connection: unknown;
}

/** Everything plan and apply share: the policy, a fresh plan over the selected targets, their connections. */
export interface PlanSession {
  readonly plan: Plan;
  readonly settings: Settings;
  readonly guards: readonly GuardFinding[];
  readonly targets: ReadonlyMap<TargetName, OpenTarget>;
  close(): Promise<void>;
}

export interface SessionOptions {
  readonly policies: string | undefined;
  readonly targets: readonly string[];
}

/** The `--policies` and `--target` options plan and apply share. */
export const sessionOptions = {
  policies: { type: "string" },
  target: { type: "string", multiple: true },
} as const;

export function readSessionOptions(values: Record<string, unknown>): SessionOptions {
  return {
    policies: values.policies as string | undefined,
    targets: (values.target as string[] | undefined) ?? [],
  };
}

/**
 * Reads and validates the policy, picks the targets (every configured one by default, an error when a named
 * one is not configured), reads each one's actual state and plans it. Validation errors refuse.
 */
export async function openPlanSession(
  context: CommandContext,
  options: SessionOptions,
): Promise<PlanSession> {
  const known = targetsOf(context).map((target) => target.name);
  for (const name of options.targets) {
    if (!known.includes(name))
      throw new UsageError(`--target ${name} is not known: use ${known.join(" or ")}`);
  }
  const now = context.now();
  const { policy, files } = await loadValidPolicy(context, options.policies, now);
  const settings = policy.settings;
  const open = new Map<TargetName, OpenTarget>();
  const close = async (): Promise<void> => {
    await Promise.all(
      [...open.values()].map(async ({ target, connection }) => {
        await target.close?.(connection);
      }),
    );
  };
  let plans: TargetPlan[];
  try {
    plans = await planTargets(context, options.targets, compilePolicy(policy, now), settings, open);
  } catch (error) {
    await close();
    throw error;
  }
  const plan: Plan = {
    formatVersion: 1,
    policyTree: hashPolicyTree(files),
    createdAt: now.toISOString(),
    targets: plans,
  };
  return { plan, settings, guards: findGuardViolations(plan, settings), targets: open, close };
}

/** The policy, with every diagnostic shown; errors refuse, since a plan from a half-read policy would revoke. */
async function loadValidPolicy(
  context: CommandContext,
  policies: string | undefined,
  now: Date,
): Promise<LoadedPolicyDir> {
  const loaded = await loadPolicyDir(context, policies, now);
  for (const diagnostic of loaded.diagnostics) context.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  if (hasErrors(loaded.diagnostics)) {
    context.stderr.write(
      "The policy has errors: nothing was planned. Fix them (scim-gitops validate), then run again.\n",
    );
    throw new ReportedFailure("policy has validation errors");
  }
  return loaded;
}

/** Connects each selected target (recording it in `open` so the caller can close it), reads it and plans it. */
async function planTargets(
  context: CommandContext,
  selected: readonly string[],
  desired: EffectiveAccess,
  settings: Settings,
  open: Map<TargetName, OpenTarget>,
): Promise<TargetPlan[]> {
  const plans: TargetPlan[] = [];
  for (const target of targetsOf(context)) {
    const named = selected.includes(target.name);
    if (selected.length > 0 && !named) continue;
    const connection: unknown = target.connect(context.config);
    const hint = target.connectionHint ?? "see the README for its environment variables";
    if (connection === undefined) {
      if (named) throw new UsageError(`--target ${target.name} is not configured: ${hint}`);
      context.stderr.write(`note: skipping ${target.name}: not configured (${hint})\n`);
      continue;
    }
    open.set(target.name, { target, connection });
    if (!target.isManaged(settings)) {
      context.stderr.write(`note: skipping ${target.name}: settings.yaml gives it nothing to manage\n`);
      continue;
    }
    const actual: unknown = await target.readActual(connection, settings);
    plans.push(target.plan(desired, settings, actual));
  }
  return plans;
}
