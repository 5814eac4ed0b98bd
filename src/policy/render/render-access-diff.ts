import type { AccessDiff } from "../diff/access-change.js";
import {
  changeLines,
  describePerson,
  describeProvenance,
  describeResource,
  summariseAccessDiff,
} from "./render-access-diff-lines.js";
import { renderAccessDiffMarkdown } from "./render-access-diff-markdown.js";

/** GitHub's PR body and check-run summary both stop at 65,536 characters; this leaves room around it. */
export const DEFAULT_MARKDOWN_BUDGET = 60_000;

/**
 * The access diff for a person to read: `text` for a terminal, `markdown` for a PR body or check run (kept
 * within `maxChars`, default 60,000, summarised and truncated with a note when over), `json` for tools.
 */
export function renderAccessDiff(
  diff: AccessDiff,
  format: "text" | "markdown" | "json",
  options: { maxChars?: number } = {},
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(diff, null, 2)}\n`;
    case "markdown":
      return renderAccessDiffMarkdown(diff, options.maxChars ?? DEFAULT_MARKDOWN_BUDGET);
    case "text":
      return renderText(diff);
  }
}

function renderText(diff: AccessDiff): string {
  const out = [summariseAccessDiff(diff)];
  for (const person of diff.people) {
    out.push("", describePerson(person));
    let heading = "";
    for (const change of person.changes) {
      const next = `  ${change.target} as ${change.principal}`;
      if (next !== heading) out.push((heading = next));
      for (const line of changeLines(change)) {
        out.push(`    ${line.sign} ${describeResource(change)}: ${line.what}`);
        for (const because of line.because) out.push(`        because ${describeProvenance(because)}`);
      }
    }
  }
  return `${out.join("\n")}\n`;
}
