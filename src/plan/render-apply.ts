import type { TargetApplyResult } from "./plan.js";
import { SYMBOL, showValue } from "./render-values.js";
import type { PlanFormat } from "./render-values.js";

export const MARKDOWN_OK_LINES = 200;

export interface ApplyOutcome {
  readonly applied: number;
  readonly failed: number;
  /** Follow-up steps (unloads, kicks) that failed. */
  readonly incomplete: number;
}

export function summariseApply(results: readonly TargetApplyResult[]): ApplyOutcome {
  const all = results.flatMap((result) => result.results);
  return {
    applied: all.filter((result) => result.ok).length,
    failed: all.filter((result) => !result.ok).length,
    incomplete: results.reduce((sum, result) => sum + (result.incomplete?.length ?? 0), 0),
  };
}

/** The apply summary: every change's result, the evidence, and a verdict that never says success on a partial apply. */
export function renderApplySummary(results: readonly TargetApplyResult[], format: PlanFormat): string {
  const outcome = summariseApply(results);
  if (format === "json")
    return `${JSON.stringify({ ...outcome, ok: isSuccess(outcome), targets: results }, null, 2)}\n`;
  const md = format === "markdown";
  const lines: string[] = md ? ["### scim-gitops apply", ""] : [];
  for (const target of results) {
    const failed = target.results.filter((result) => !result.ok).length;
    lines.push(
      md
        ? `#### ${target.target}`
        : `${target.target}: ${target.results.length - failed} applied, ${failed} failed`,
    );
    if (md) lines.push("", `${target.results.length - failed} applied, ${failed} failed`, "");
    // A step summary has room for every failure but not for thousands of successes.
    const shown = md
      ? [
          ...target.results.filter((r) => !r.ok),
          ...target.results.filter((r) => r.ok).slice(0, MARKDOWN_OK_LINES),
        ]
      : target.results;
    for (const result of shown) {
      const { change } = result;
      const head = `${result.ok ? "ok" : "FAILED"} ${SYMBOL[change.action]} ${change.action} ${change.principal} ${change.resource} → ${showValue(change.after)}`;
      const line = result.ok ? head : `${head}: ${result.error ?? "unknown error"}`;
      lines.push(md ? `- ${line}` : `  ${line}`);
    }
    if (shown.length < target.results.length)
      lines.push(
        `- … and ${target.results.length - shown.length} more applied (see the text or JSON output)`,
      );
    for (const item of target.evidence) lines.push(md ? `- evidence: ${item}` : `  evidence: ${item}`);
    for (const item of target.incomplete ?? []) lines.push(md ? `- FAILED: ${item}` : `  FAILED: ${item}`);
    lines.push("");
  }
  lines.push(verdict(outcome));
  return `${lines.join("\n")}\n`;
}

export function isSuccess(outcome: ApplyOutcome): boolean {
  return outcome.failed === 0 && outcome.incomplete === 0;
}

function verdict(outcome: ApplyOutcome): string {
  const total = outcome.applied + outcome.failed;
  if (isSuccess(outcome)) {
    return total === 0
      ? "Apply complete: nothing to change."
      : `Apply complete: ${total} change${total === 1 ? "" : "s"} applied.`;
  }
  const parts = [
    outcome.failed > 0 ? `${outcome.failed} of ${total} changes failed` : "",
    outcome.incomplete > 0
      ? `${outcome.incomplete} follow-up step${outcome.incomplete === 1 ? "" : "s"} failed`
      : "",
  ].filter((part) => part !== "");
  return `Apply FAILED (partial): ${parts.join(", ")}. Fix what the errors say, then run apply again: it only redoes what is still missing.`;
}
