import type { CommandContext } from "./command.js";
import { ReportedFailure, UsageError } from "./errors.js";
import { readPolicyFiles } from "./read-policy-files.js";
import type { PolicyInput } from "../engine/engine-input.js";
import { openTargets, TargetSelectionError, type OpenedTargets } from "../engine/open-targets.js";
import { formatDiagnostic } from "../policy/load/load.js";
import { policyTargetsFor, targetsOf } from "./context-targets.js";

/** What plan and apply hand the engine, and the connections to close when it is done. */
export interface PlanSession {
  readonly input: PolicyInput;
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
 * Opens the `--target` selection and reads the `--policies` directory. Notices and diagnostics go to
 * stderr as the engine finds them, so a person sees the policy's warnings even when a target then fails.
 */
export async function openPlanSession(
  context: CommandContext,
  options: SessionOptions,
): Promise<PlanSession> {
  const notice = (text: string) => context.stderr.write(`note: ${text}\n`);
  const opened = openSelectedTargets(context, options.targets, notice);
  try {
    const { files, display } = await readPolicyFiles(context, options.policies);
    // CI applies the commit it checked out; its sha is what NATS entries record as changedBy.
    const revision = context.config.env.GITHUB_SHA?.trim();
    const input: PolicyInput = {
      files,
      display,
      targets: opened.targets,
      policyTargets: policyTargetsFor(context),
      now: context.now(),
      notice,
      diagnostics: (found) => {
        for (const diagnostic of found) context.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
      },
      ...(revision === undefined || revision === "" ? {} : { revision }),
    };
    return { input, close: () => opened.close() };
  } catch (error) {
    await opened.close();
    throw error;
  }
}

/** The engine found validation errors (already shown): refuse, since a plan from a half-read policy would revoke. */
export function refuseInvalidPolicy(context: CommandContext): never {
  context.stderr.write(
    "The policy has errors: nothing was planned. Fix them (scim-gitops validate), then run again.\n",
  );
  throw new ReportedFailure("policy has validation errors");
}

function openSelectedTargets(
  context: CommandContext,
  selected: readonly string[],
  notice: (text: string) => void,
): OpenedTargets {
  try {
    return openTargets({ registry: targetsOf(context), config: context.config, selected, notice });
  } catch (error) {
    if (!(error instanceof TargetSelectionError)) throw error;
    const problem = error.problem === "unknown" ? "is not known" : "is not configured";
    throw new UsageError(`--target ${error.target} ${problem}: ${error.fix}`, { cause: error });
  }
}
