import { formatOption, parseFormat, type Command, type OutputFormat } from "../command.js";
import { EXIT_ERROR, EXIT_OK, UsageError } from "../errors.js";
import { loadPolicyDir } from "../load-policy-dir.js";
import { formatDiagnostic, hasErrors } from "../../policy/load.js";
import type { Diagnostic } from "../../policy/model.js";

export const validateCommand: Command = {
  name: "validate",
  summary: "Check a policy directory: syntax, schema, references, scope, overlaps, expiry",
  help: `Usage: scim-gitops validate [--policies DIR] [--format text|markdown|json]

Checks every file of a policy directory (policy format v1) and prints each problem as
file:line:col: severity: what is wrong; what to do. Errors: YAML syntax, unknown keys, wrong types,
missing fields, bindings to roles that do not exist, duplicate roles or identities, invalid Pulsar
names and actions, invalid NATS subjects, grants outside the managed scope, a binding to a protected
principal. Warnings: bindings to groups or users the IdP has not pushed yet, expired bindings,
overlapping grants. No cluster is contacted.

Options:
  --policies DIR    the policy directory (default: policies)
  --format FORMAT   text (default), markdown (for PR comments) or json (for tools)

Exit codes: 0 no errors (warnings allowed), 1 errors found or the directory cannot be read.
`,
  options: { ...formatOption, policies: { type: "string" } },
  async run({ values }, context) {
    const format = parseFormat(values.format);
    const { diagnostics, display, files } = await loadPolicyDir(
      context,
      values.policies as string | undefined,
      context.now(),
    );
    if (files.size === 0) {
      throw new UsageError(`${display} holds no .yaml files: pass the policy directory with --policies DIR`);
    }
    context.stdout.write(renderValidation(diagnostics, files.size, format));
    return hasErrors(diagnostics) ? EXIT_ERROR : EXIT_OK;
  },
};

export function renderValidation(
  diagnostics: readonly Diagnostic[],
  fileCount: number,
  format: OutputFormat,
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
