import type { Config } from "../config.js";
import type { AnyTarget } from "../targets/target.js";
import type { OpenTarget } from "./engine-input.js";

/** A target asked for by name that is not known, or not configured; `fix` says what to do. */
export class TargetSelectionError extends Error {
  override name = "TargetSelectionError";
  readonly target: string;
  readonly problem: "unknown" | "not-configured";
  readonly fix: string;

  constructor(target: string, problem: "unknown" | "not-configured", fix: string) {
    super(`target ${target} ${problem === "unknown" ? "is not known" : "is not configured"}: ${fix}`);
    this.target = target;
    this.problem = problem;
    this.fix = fix;
  }
}

export interface OpenTargetsOptions {
  /** Every target there is, in the order their plans are shown (`TARGETS`). */
  readonly registry: readonly AnyTarget[];
  readonly config: Config;
  /** The targets asked for by name; empty means every configured one. */
  readonly selected: readonly string[];
  readonly notice: (text: string) => void;
}

export interface OpenedTargets {
  readonly targets: readonly OpenTarget[];
  /** Releases every connection opened here. */
  close(): Promise<void>;
}

/**
 * Connects the selected targets (every configured one by default). An unconfigured target is skipped with
 * a notice, or refused when it was asked for by name: a person who names it expects it to be applied.
 */
export function openTargets(options: OpenTargetsOptions): OpenedTargets {
  const known = options.registry.map((target) => target.name);
  for (const name of options.selected) {
    if (!known.includes(name)) throw new TargetSelectionError(name, "unknown", `use ${known.join(" or ")}`);
  }
  const targets: OpenTarget[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(targets.map(async ({ target, connection }) => target.close?.(connection)));
  };
  try {
    for (const target of options.registry) {
      const named = options.selected.includes(target.name);
      if (options.selected.length > 0 && !named) continue;
      const connection: unknown = target.connect(options.config);
      const hint = target.connectionHint ?? "see the README for its environment variables";
      if (connection === undefined) {
        if (named) throw new TargetSelectionError(target.name, "not-configured", hint);
        options.notice(`skipping ${target.name}: not configured (${hint})`);
        continue;
      }
      targets.push({ target, connection });
    }
  } catch (error) {
    // Nothing has used these connections yet (connect does no I/O), so closing them cannot hold anything up.
    void close().catch(() => undefined);
    throw error;
  }
  return { targets, close };
}
