import type { LedgerChange, LedgerOperation } from "../ledger/ledger.js";

/** The part of a ledger change a commit names (never the resource itself). */
export type OperationRef = Pick<LedgerChange, "seq" | "type" | "id" | "operation">;

/** Beyond this, trailers are summarised per method and type so a commit message stays readable. */
const LISTED_OPERATIONS = 50;

const METHOD: Record<LedgerOperation, string> = {
  create: "POST",
  replace: "PUT",
  patch: "PATCH",
  delete: "DELETE",
};

function operationLabel(operation: OperationRef): string {
  return `${METHOD[operation.operation]} ${operation.type} ${operation.id}`;
}

/**
 * Trailers naming the SCIM operations a commit holds: one `SCIM-Operation` each, summarised past
 * LISTED_OPERATIONS, and `SCIM-Seq: from..to` so a reader can find them in the ledger.
 */
export function operationTrailers(operations: readonly OperationRef[]): string[] {
  if (operations.length === 0) return [];
  const sorted = [...operations].sort((left, right) => left.seq - right.seq);
  const trailers = sorted.slice(0, LISTED_OPERATIONS).map((op) => `SCIM-Operation: ${operationLabel(op)}`);
  if (sorted.length > LISTED_OPERATIONS) {
    const counts = new Map<string, number>();
    for (const op of sorted.slice(LISTED_OPERATIONS)) {
      const key = `${METHOD[op.operation]} ${op.type}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const summary = [...counts].map(([key, count]) => `${key} ×${count}`).join(", ");
    trailers.push(`SCIM-Operations-Not-Listed: ${sorted.length - LISTED_OPERATIONS} (${summary})`);
  }
  const first = sorted[0]?.seq ?? 0;
  const last = sorted[sorted.length - 1]?.seq ?? 0;
  trailers.push(`SCIM-Seq: ${first === last ? `${first}` : `${first}..${last}`}`);
  return trailers;
}

export interface SyncMessageInput {
  readonly operations: readonly OperationRef[];
  readonly changedFiles: number;
  readonly base: string;
  readonly rebuilt: boolean;
}

export function syncCommitMessage(input: SyncMessageInput): string {
  const count = input.operations.length;
  const subject =
    count === 0
      ? `Rebuild identities on main ${input.base.slice(0, 12)}`
      : `Sync ${count} SCIM operation${count === 1 ? "" : "s"} into identity files`;
  const body = input.rebuilt
    ? `Rendered from the identity ledger onto main ${input.base.slice(0, 12)}; ` +
      `${input.changedFiles} identity file(s) change in this commit.`
    : `Rendered from the identity ledger; ${input.changedFiles} identity file(s) change in this commit.`;
  return [subject, "", body, "", ...operationTrailers(input.operations), `SCIM-Base: ${input.base}`, ""].join(
    "\n",
  );
}
