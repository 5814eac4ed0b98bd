/**
 * `serve --apply-on-merge` (DESIGN §8): after main moves (an emergency merge, a person merging the sync
 * branch), apply main's policy to the configured targets, as the apply Action would in GitHub mode. Runs one
 * at a time; moves during a run collapse into one more run on the newest head. The engine does the work
 * (guards, revocations first, evidence) on the files of main's head, read straight from the repository.
 * It keeps the access it applied last, so a leaver's merge is revoked from the targets before the full
 * plan reads the whole cluster (the engine's revocation-first pass).
 */
import type { Config } from "../config.js";
import { applyPolicy } from "../engine/apply-policy.js";
import { compilePolicyFiles } from "../engine/compile-policy-files.js";
import type { EngineOutcome } from "../engine/engine-outcome.js";
import { openTargets } from "../engine/open-targets.js";
import { formatDiagnostic } from "../policy/load/load.js";
import type { EffectiveAccess } from "../policy/model/effective-access.js";
import type { PolicyRepo } from "../repos/policy-repo.js";
import { TARGETS, policyTargetsOf } from "../targets/registry.js";
import type { AnyTarget } from "../targets/target.js";
import { appliedCleanly, applyLogLines } from "./apply-log-lines.js";
import type { Logger } from "./logger.js";

export interface ApplyOnMergeOptions {
  readonly repo: PolicyRepo;
  readonly policyDir: string;
  readonly config: Config;
  readonly log: Logger;
  readonly now?: () => Date;
  /** The targets to apply to when configured; every registered one by default. */
  readonly registry?: readonly AnyTarget[];
}

export interface ApplyOnMergeState {
  readonly runs: number;
  readonly failures: number;
  readonly lastHead?: string;
  /** How the last run ended: an engine outcome, or `error` when it could not run (a target unreachable). */
  readonly lastOutcome?: EngineOutcome["kind"] | "error";
}

export interface ApplyOnMerge {
  /** Main is at `head` now: apply it (after the run in progress, if any). */
  mainMoved(head: string): void;
  state(): ApplyOnMergeState;
  /** Waits for the run in progress and the one queued behind it. */
  close(): Promise<void>;
}

export function startApplyOnMerge(options: ApplyOnMergeOptions): ApplyOnMerge {
  let wanted: string | undefined;
  let running: Promise<void> | undefined;
  let runs = 0;
  let failures = 0;
  let lastHead: string | undefined;
  let lastOutcome: ApplyOnMergeState["lastOutcome"];
  // What the last apply gave, so the next one revokes a leaver's access before it reads the whole cluster.
  let previous: EffectiveAccess | undefined;

  const runOnce = async (head: string) => {
    let clean = false;
    try {
      const { outcome, applied } = await applyHead(head, options, previous);
      if (applied !== undefined) previous = applied;
      lastOutcome = outcome.kind;
      clean = appliedCleanly(outcome);
    } catch (error) {
      lastOutcome = "error";
      options.log.error(`apply-on-merge: apply of main ${head} failed to run`, { error });
    }
    runs++;
    if (!clean) failures++;
    lastHead = head;
    const said = clean ? "applied" : "did not apply cleanly (see the lines above)";
    options.log[clean ? "info" : "error"](`apply-on-merge: main ${head.slice(0, 12)} ${said}`);
  };
  const kick = () => {
    running ??= (async () => {
      while (wanted !== undefined) {
        const head = wanted;
        wanted = undefined;
        await runOnce(head);
      }
    })().finally(() => {
      running = undefined;
      if (wanted !== undefined) kick();
    });
  };
  return {
    mainMoved(head) {
      wanted = head;
      kick();
    },
    state: () => ({
      runs,
      failures,
      ...(lastHead === undefined ? {} : { lastHead }),
      ...(lastOutcome === undefined ? {} : { lastOutcome }),
    }),
    async close() {
      while (running !== undefined) await running;
    },
  };
}

/**
 * Main's policy at `head`, applied to every configured target; the outcome is logged line by line. Returns
 * the access it applied, when it did (the compile is remembered, so asking for it again costs nothing).
 */
async function applyHead(
  head: string,
  options: ApplyOnMergeOptions,
  previous: EffectiveAccess | undefined,
): Promise<{ outcome: EngineOutcome; applied?: EffectiveAccess }> {
  const { log } = options;
  const notice = (text: string) => log.info(`apply-on-merge: ${text}`);
  const files = await options.repo.readFiles(head, options.policyDir);
  const registry = options.registry ?? TARGETS;
  const opened = openTargets({
    registry,
    config: options.config,
    selected: [],
    notice,
  });
  try {
    const input = {
      files,
      revision: head,
      display: options.policyDir,
      targets: opened.targets,
      policyTargets: policyTargetsOf(registry),
      now: (options.now ?? (() => new Date()))(),
      notice,
    };
    const outcome = await applyPolicy(
      {
        ...input,
        diagnostics: (found) => {
          for (const diagnostic of found) {
            if (diagnostic.severity !== "error") log.warn(`apply-on-merge: ${formatDiagnostic(diagnostic)}`);
          }
        },
      },
      { allowMassRevocation: false, dryRun: false, ...(previous === undefined ? {} : { previous }) },
    );
    for (const line of applyLogLines(outcome)) log[line.level](`apply-on-merge: ${line.text}`);
    if (outcome.kind !== "applied") return { outcome };
    const compiled = compilePolicyFiles(input);
    return compiled.valid ? { outcome, applied: compiled.desired } : { outcome };
  } finally {
    await opened.close();
  }
}
