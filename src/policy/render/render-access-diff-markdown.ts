import type { AccessDiff } from "../diff/access-change.js";
import {
  changeLines,
  count,
  describePerson,
  describeResource,
  summariseAccessDiff,
  where,
} from "./render-access-diff-lines.js";

const HEADER = "| Person | Target | Principal | Change | Because |\n|---|---|---|---|---|";
const NOTE_ROOM = 400;

/**
 * A table with a row per person, target and change, kept within `budget` characters. People who gain
 * anything come first, since they are what a reviewer must not miss. When it does not fit, whole people
 * are dropped from the end and a note says how many and where to see them all.
 */
export function renderAccessDiffMarkdown(diff: AccessDiff, budget: number): string {
  const verdict = diff.people.length === 0 ? "✅" : diff.revocationOnly ? "✅" : "⚠️";
  const head = [`### Access diff`, "", `${verdict} ${summariseAccessDiff(diff)}`];
  if (diff.people.length === 0) return fit(`${head.join("\n")}\n`, budget);
  head.push("", HEADER);
  const people = [
    ...diff.people.filter((person) => person.grants > 0),
    ...diff.people.filter((person) => person.grants === 0),
  ];
  let body = head.join("\n");
  let shown = 0;
  let rowsShown = 0;
  for (const person of people) {
    const rows = personRows(person);
    const next = `${body}\n${rows.join("\n")}`;
    if (next.length + NOTE_ROOM > budget) break;
    body = next;
    shown += 1;
    rowsShown += rows.length;
  }
  if (shown < diff.people.length) {
    const hidden = people.slice(shown);
    const hiddenRows = hidden.reduce((sum, person) => sum + personRows(person).length, 0);
    const gaining = hidden.filter((person) => person.grants > 0).length;
    body += [
      "",
      "",
      `> **Truncated:** ${count(hidden.length, "more person", "more people")} (${count(hiddenRows, "change", "changes")}` +
        `, ${gaining} of them gaining access) not shown; ${shown} of ${diff.people.length} people and ${rowsShown} changes fit.` +
        " Run `scim-gitops diff <base> <head>` for the whole diff.",
    ].join("\n");
  }
  return fit(`${body}\n`, budget);
}

function personRows(person: AccessDiff["people"][number]): string[] {
  const rows: string[] = [];
  let first = true;
  for (const change of person.changes) {
    for (const line of changeLines(change)) {
      const personCell = first ? `**${cell(describePerson(person))}**` : "";
      first = false;
      const verb = line.sign === "+" ? "**gains**" : "loses";
      const because = line.because
        .map((b) => `\`${cell(b.subject)}\` → \`${cell(b.role)}\` (${cell(where(b.binding))})`)
        .join("<br>");
      rows.push(
        `| ${personCell} | ${change.target} | \`${cell(change.principal)}\` | ${verb} ${cell(describeResource(change))}: ${cell(line.what)} | ${because} |`,
      );
    }
  }
  return rows;
}

/** A table cell cannot hold `|` or a line break. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ").replace(/`/g, "'");
}

function fit(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const note = "\n\n> **Truncated** to fit the size limit.\n";
  return `${text.slice(0, Math.max(0, budget - note.length))}${note}`.slice(0, budget);
}
