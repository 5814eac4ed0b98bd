import type { GuardFinding } from "./guards.js";
import type { Plan, PlannedChange, TargetPlan } from "./plan.js";
import { SYMBOL, countActions, describeCounts, showValue, targetHeadline } from "./render-values.js";
import type { PlanFormat } from "./render-values.js";

/**
 * Markdown stays inside a GitHub comment (65,536 characters) with two targets; the JSON plan always has
 * everything.
 */
export const MARKDOWN_ROWS_PER_TARGET = 100;
export const MARKDOWN_NOTES_PER_TARGET = 30;

export interface PlanView {
  readonly plan: Plan;
  /** What apply would refuse, shown so a reviewer sees it before merging. */
  readonly guards: readonly GuardFinding[];
}

export function renderPlan(view: PlanView, format: PlanFormat): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(view.plan, null, 2)}\n`;
    case "markdown":
      return renderMarkdown(view);
    case "text":
      return renderText(view);
  }
}

function renderText({ plan, guards }: PlanView): string {
  const lines: string[] = [];
  for (const target of plan.targets) {
    lines.push(targetHeadline(target));
    for (const change of target.changes) {
      lines.push(
        `  ${SYMBOL[change.action]} ${change.action.padEnd(6)}  ${change.principal}  ${change.resource}`,
      );
      lines.push(`      ${showValue(change.before)} → ${showValue(change.after)}`);
      lines.push(`      why: ${change.reason}`);
    }
    for (const notice of target.notices) lines.push(`  note: ${notice}`);
    for (const finding of guards.filter((each) => each.target === target.target)) {
      lines.push(`  apply will refuse: ${finding.message}`);
    }
    lines.push("");
  }
  lines.push(summaryLine(plan));
  return `${lines.join("\n")}\n`;
}

function renderMarkdown({ plan, guards }: PlanView): string {
  const out: string[] = ["### scim-gitops plan", ""];
  for (const target of plan.targets) {
    out.push(`#### ${target.target}`, "", targetHeadline(target).replace(/^[^:]+: /, ""), "");
    if (target.changes.length > 0) out.push(...changeTable(target));
    const findings = guards.filter((each) => each.target === target.target);
    for (const finding of findings)
      out.push(`> [!CAUTION]`, `> Apply will refuse: ${escape(finding.message)}`, "");
    if (target.notices.length > 0) {
      out.push(
        `<details><summary>${target.notices.length} note${target.notices.length === 1 ? "" : "s"}</summary>`,
        "",
      );
      for (const notice of target.notices.slice(0, MARKDOWN_NOTES_PER_TARGET))
        out.push(`- ${escape(notice)}`);
      const hidden = target.notices.length - MARKDOWN_NOTES_PER_TARGET;
      if (hidden > 0) out.push(`- … and ${hidden} more notes: see the JSON plan.`);
      out.push("", "</details>", "");
    }
  }
  out.push(`**${summaryLine(plan)}**`);
  return `${out.join("\n")}\n`;
}

function changeTable(target: TargetPlan): string[] {
  const rows = target.changes
    .slice(0, MARKDOWN_ROWS_PER_TARGET)
    .map(
      (change: PlannedChange) =>
        `| ${SYMBOL[change.action]} ${change.action} | ${code(change.principal)} | ${escape(change.resource)} | ${escape(showValue(change.before))} | ${escape(showValue(change.after))} | ${escape(change.reason)} |`,
    );
  const hidden = target.changes.length - rows.length;
  return [
    "| change | principal | resource | before | after | why |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    ...(hidden > 0
      ? ["", `… and ${hidden} more changes: see the JSON plan (\`--format json\` or \`--out\`).`]
      : []),
    "",
  ];
}

function summaryLine(plan: Plan): string {
  const all = plan.targets.flatMap((target) => target.changes);
  if (plan.targets.length === 0) return "Nothing to plan: no target is configured and managed.";
  if (all.length === 0) return "No changes: the targets match the policy.";
  return `Plan: ${describeCounts(countActions(all))}.`;
}

/** A code span shows its content literally; only a pipe needs `\|` (GitHub reads it inside table code spans). */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
}

/** Keeps a value inside its table cell and stops it from being read as markup. */
function escape(text: string): string {
  return text.replace(/[|<>*_`[\]\\]/g, (char) => `\\${char}`).replace(/\n/g, " ");
}
