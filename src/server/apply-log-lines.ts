import type { EngineOutcome } from "../engine/engine-outcome.js";
import { isSuccess, summariseApply } from "../plan/render-apply.js";
import { formatDiagnostic } from "../policy/load/load.js";
import type { LogLevel } from "./logger.js";

export interface LogLine {
  readonly level: LogLevel;
  readonly text: string;
}

/**
 * What an operator reading the service log needs from one apply: per target the counts, every failure, and
 * the evidence (namespaces unloaded, live connections gone); not every change, which the git history holds.
 */
export function applyLogLines(outcome: EngineOutcome): LogLine[] {
  switch (outcome.kind) {
    case "policy-invalid":
      return [
        ...outcome.diagnostics
          .filter((diagnostic) => diagnostic.severity === "error")
          .map((diagnostic) => ({ level: "error" as const, text: formatDiagnostic(diagnostic) })),
        { level: "error", text: "the policy has errors: nothing was applied; fix them on main" },
      ];
    case "refused":
      return [
        ...outcome.refusals.map((refusal) => ({
          level: "error" as const,
          text: `refused: ${refusal.message}`,
        })),
        {
          level: "error",
          text: "nothing was applied: check the plan (scim-gitops plan) and, if it is intended, apply it by hand",
        },
      ];
    case "stale":
      return [{ level: "error", text: `the plan is stale: ${outcome.reasons.join("; ")}` }];
    case "planned":
      return [{ level: "info", text: "dry run: nothing was written" }];
    case "applied":
      return appliedLines(outcome.results);
  }
}

function appliedLines(results: Extract<EngineOutcome, { kind: "applied" }>["results"]): LogLine[] {
  const lines: LogLine[] = [];
  for (const target of results) {
    const failed = target.results.filter((result) => !result.ok);
    lines.push({
      level: failed.length > 0 ? "error" : "info",
      text: `${target.target}: ${target.results.length - failed.length} applied, ${failed.length} failed`,
    });
    for (const result of failed) {
      const { change } = result;
      lines.push({
        level: "error",
        text: `${target.target}: FAILED ${change.action} ${change.principal} ${change.resource}: ${result.error ?? "unknown error"}`,
      });
    }
    for (const item of target.evidence)
      lines.push({ level: "info", text: `${target.target}: evidence: ${item}` });
    for (const item of target.incomplete ?? [])
      lines.push({ level: "error", text: `${target.target}: FAILED: ${item}` });
  }
  return lines;
}

/** Whether the outcome leaves the targets as main says. */
export function appliedCleanly(outcome: EngineOutcome): boolean {
  return outcome.kind === "applied" && isSuccess(summariseApply(outcome.results));
}
