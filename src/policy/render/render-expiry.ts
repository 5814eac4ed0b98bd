import type { DatedBinding, ExpiryEdit } from "../expiry/plan-expiry-edit.js";

/** What `expire` did: only planned, or written to the files. */
export interface ExpiryReport {
  readonly edit: ExpiryEdit;
  readonly written: boolean;
  /** The policy directory as the user named it, which prefixes the changed files. */
  readonly dir: string;
}

/** `scim-gitops expire`'s output: text for a terminal, markdown for a PR body or comment, json for tools. */
export function renderExpiry(report: ExpiryReport, format: "text" | "markdown" | "json"): string {
  switch (format) {
    case "text":
      return renderText(report);
    case "markdown":
      return renderExpiryMarkdown(report);
    case "json":
      return `${JSON.stringify(expiryJson(report), null, 2)}\n`;
  }
}

/** The JSON form, which the action reads back (`expiryFromJson`). */
export interface ExpiryJson {
  readonly today: string;
  readonly warnWithinDays: number;
  readonly written: boolean;
  readonly expired: readonly DatedBinding[];
  readonly expiringSoon: readonly DatedBinding[];
  /** Changed files, with the policy directory in front. */
  readonly files: readonly string[];
  readonly skipped: readonly string[];
}

function expiryJson({ edit, written, dir }: ExpiryReport): ExpiryJson {
  const prefix = dir === "" || dir === "." ? "" : `${dir.replace(/\/+$/, "")}/`;
  return {
    today: edit.today,
    warnWithinDays: edit.warnWithinDays,
    written,
    expired: edit.expired,
    expiringSoon: edit.expiringSoon,
    files: [...edit.changes.keys()].map((path) => `${prefix}${path}`),
    skipped: edit.skipped.map((path) => `${prefix}${path}`),
  };
}

function renderText({ edit, written }: ExpiryReport): string {
  const out: string[] = [];
  if (edit.expired.length === 0) {
    out.push(`No binding has expired (today is ${edit.today}, UTC).`);
  } else {
    const files = edit.changes.size;
    out.push(
      written
        ? `Removed ${count(edit.expired.length, "expired binding")} from ${count(files, "file")} (today is ${edit.today}, UTC):`
        : `${count(edit.expired.length, "binding")} expired (today is ${edit.today}, UTC); --write removes ${edit.expired.length === 1 ? "it" : "them"} from ${count(files, "file")}:`,
    );
    for (const binding of edit.expired) out.push(`  ${textRow(binding)}  last day ${binding.expires}`);
  }
  if (edit.expiringSoon.length > 0) {
    out.push(
      "",
      `${count(edit.expiringSoon.length, "binding")} ${edit.expiringSoon.length === 1 ? "expires" : "expire"} within ${count(edit.warnWithinDays, "day")}:`,
    );
    for (const binding of edit.expiringSoon) {
      out.push(`  ${textRow(binding)}  last day ${binding.expires} (${daysLeft(binding)})`);
    }
  }
  for (const path of edit.skipped)
    out.push(`note: ${path} is not valid YAML and was left alone; run validate`);
  return `${out.join("\n")}\n`;
}

function textRow(binding: DatedBinding): string {
  const { file, line, col } = binding.at;
  return `${file}:${line}:${col}  ${binding.subject.kind} ${binding.subject.name} → ${binding.roles.join(", ")}`;
}

function renderExpiryMarkdown({ edit, written }: ExpiryReport): string {
  const out: string[] = [];
  if (edit.expired.length === 0) {
    out.push("### Expired bindings", "", `No binding has expired (today is ${edit.today}, UTC).`, "");
  } else {
    out.push(
      "### Expired bindings",
      "",
      `${count(edit.expired.length, "binding")} ended before ${edit.today} (UTC) and grant nothing; ${written ? "this change removes them" : "`scim-gitops expire --write` removes them"}.`,
      "",
      "| Subject | Roles | Binding | Last day |",
      "| --- | --- | --- | --- |",
      ...edit.expired.map((binding) => markdownRow(binding, binding.expires)),
      "",
    );
  }
  const soon = renderExpiringSoon(edit.expiringSoon, edit.warnWithinDays);
  if (soon !== "") out.push(soon);
  return `${out.join("\n").trimEnd()}\n`;
}

/** GitHub refuses comments over 65,536 characters; a reviewer reads a few dozen rows at most anyway. */
const SOON_ROWS = 50;

/**
 * The "Expiring soon" table of the pull-request plan comment: one row per binding whose last day falls
 * within the window, soonest first. Empty when there is none.
 */
export function renderExpiringSoon(bindings: readonly DatedBinding[], warnWithinDays: number): string {
  if (bindings.length === 0) return "";
  const sorted = [...bindings].sort((a, b) => a.daysLeft - b.daysLeft);
  const shown = sorted.slice(0, SOON_ROWS);
  const out = [
    "### Expiring soon",
    "",
    `${count(bindings.length, "binding")} ${bindings.length === 1 ? "ends" : "end"} within ${count(warnWithinDays, "day")}: extend \`expires\` on purpose, or let the scheduled \`policy-expire\` workflow propose ${bindings.length === 1 ? "its" : "their"} removal.`,
    "",
    "| Subject | Roles | Binding | Last day |",
    "| --- | --- | --- | --- |",
    ...shown.map((binding) => markdownRow(binding, `${binding.expires} (${daysLeft(binding)})`)),
    "",
  ];
  if (sorted.length > shown.length) {
    out.push(`… and ${sorted.length - shown.length} more; run \`scim-gitops expire\` for the full list.`, "");
  }
  return out.join("\n");
}

function markdownRow(binding: DatedBinding, date: string): string {
  const { file, line } = binding.at;
  return `| ${binding.subject.kind} \`${cell(binding.subject.name)}\` | ${binding.roles.map((role) => `\`${cell(role)}\``).join(", ")} | \`${cell(file)}:${line}\` | ${date} |`;
}

function daysLeft(binding: DatedBinding): string {
  if (binding.daysLeft === 0) return "today";
  return binding.daysLeft === 1 ? "tomorrow" : `in ${binding.daysLeft} days`;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("`", "'").replaceAll("\n", " ");
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? "" : "s"}`;
}
