import { formatDiagnostic } from "../load/load-diagnostics.js";
import type { Diagnostic } from "../model/model.js";

/** `validate`'s report: every diagnostic and a count, as text, a PR comment (markdown) or JSON for tools. */
export function renderValidation(
  diagnostics: readonly Diagnostic[],
  fileCount: number,
  format: "text" | "markdown" | "json",
): string {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const summary = `${count(errors, "error")}, ${count(warnings, "warning")} in ${count(fileCount, "file")}`;
  switch (format) {
    case "text":
      return [...diagnostics.map(formatDiagnostic), summary, ""].join("\n");
    case "markdown":
      return renderMarkdown(diagnostics, summary, errors);
    case "json":
      return `${JSON.stringify(
        {
          valid: errors === 0,
          files: fileCount,
          errors,
          warnings,
          diagnostics: diagnostics.map((diagnostic) => ({
            severity: diagnostic.severity,
            file: diagnostic.at.file,
            line: diagnostic.at.line,
            col: diagnostic.at.col,
            message: diagnostic.message,
          })),
        },
        null,
        2,
      )}\n`;
  }
}

/** GitHub refuses comments over 65,536 characters; a few hundred rows is what a reviewer reads anyway. */
const MARKDOWN_ROWS = 200;

function renderMarkdown(diagnostics: readonly Diagnostic[], summary: string, errors: number): string {
  const lines = [`### Policy validation: ${errors === 0 ? "passed" : "failed"}`, "", summary, ""];
  if (diagnostics.length > 0) {
    lines.push("| | Where | Problem |", "| --- | --- | --- |");
    const shown = [...diagnostics].sort((a, b) => severityRank(a) - severityRank(b)).slice(0, MARKDOWN_ROWS);
    for (const diagnostic of shown) {
      const { file, line, col } = diagnostic.at;
      const mark = diagnostic.severity === "error" ? "❌ error" : "⚠️ warning";
      lines.push(`| ${mark} | \`${file}:${line}:${col}\` | ${escapeCell(diagnostic.message)} |`);
    }
    lines.push("");
    if (diagnostics.length > shown.length) {
      lines.push(
        `… and ${diagnostics.length - shown.length} more; run \`scim-gitops validate\` for the full list.`,
        "",
      );
    }
  }
  return lines.join("\n");
}

function severityRank(diagnostic: Diagnostic): number {
  return diagnostic.severity === "error" ? 0 : 1;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? "" : "s"}`;
}
