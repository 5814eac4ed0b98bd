import type { AccessDiff } from "../../policy/diff/access-change.js";
import { renderAccessDiffMarkdown } from "../../policy/render/render-access-diff-markdown.js";
import type { OperationRef } from "../commit-message.js";
import { operationTrailers } from "../commit-message.js";

/** GitHub refuses a PR body over 65,536 characters; the margin keeps multi-byte counting honest too. */
export const PULL_REQUEST_BODY_LIMIT = 65_536;
const BODY_BUDGET = 65_000;
/** The operations list never crowds out the access diff, which is what a reviewer must read. */
const OPERATIONS_BUDGET = 8_000;

/** Marks the sync PR's body as the bot's, so a person reading it knows edits are overwritten. */
export const SYNC_BODY_MARKER = "<!-- scim-gitops:sync-pull-request -->";

export interface SyncBodyInput {
  readonly diff: AccessDiff;
  /** The SCIM operations the sync branch carries beyond main. */
  readonly operations: readonly OperationRef[];
  readonly base: string;
  readonly head: string;
  readonly baseBranch: string;
  /** The check run that holds the same diff, pointed to when this body is cut. */
  readonly checkName?: string;
}

/**
 * The sync PR's body: what the identity provider changed, as the per-person access diff with the binding
 * and role behind each line (the shared markdown renderer), then the SCIM operations it holds. Always under
 * GitHub's body limit: the diff keeps whole people and says how many it left out, and the operations list
 * keeps the first ones and counts the rest.
 */
export function renderSyncBody(input: SyncBodyInput): string {
  const checkName = input.checkName ?? "access-diff";
  const intro = [
    SYNC_BODY_MARKER,
    `The identity provider's changes, rendered onto \`${input.baseBranch}\` at \`${short(input.base)}\` ` +
      `(head \`${short(input.head)}\`). The bot rewrites this branch and this description as changes ` +
      `arrive; merge it to apply them.`,
    "",
  ].join("\n");
  const operations = renderOperations(input.operations, OPERATIONS_BUDGET);
  const pointer =
    `> The \`${checkName}\` check run on this head has the same diff; ` +
    "`scim-gitops diff <base> <head>` prints all of it.";
  const diffBudget = BODY_BUDGET - intro.length - operations.length - pointer.length - 8;
  const table = renderAccessDiffMarkdown(input.diff, diffBudget);
  const cut = table !== renderAccessDiffMarkdown(input.diff, Number.POSITIVE_INFINITY);
  const parts = [intro, table.trimEnd(), ...(cut ? ["", pointer] : []), "", operations];
  return `${parts.join("\n").trimEnd()}\n`;
}

function renderOperations(operations: readonly OperationRef[], budget: number): string {
  if (operations.length === 0) {
    return "### SCIM operations\n\nNone named: these changes were rebuilt from the identity ledger.\n";
  }
  const lines = operationTrailers(operations).map((trailer) => `- \`${trailer}\``);
  const heading = `### SCIM operations (${operations.length})`;
  const kept: string[] = [];
  let size = heading.length + 200;
  for (const line of lines) {
    if (size + line.length + 1 > budget) break;
    kept.push(line);
    size += line.length + 1;
  }
  const rest = lines.length - kept.length;
  const more =
    rest === 0 ? [] : [`- … and ${rest} more; the commits' \`SCIM-Operation\` trailers name them all`];
  return [heading, "", ...kept, ...more, ""].join("\n");
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
