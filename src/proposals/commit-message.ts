import type { LedgerChange, LedgerOperation } from "../ledger/ledger.js";

/** The part of a ledger change a commit names (never the resource itself). */
export type OperationRef = Pick<LedgerChange, "seq" | "type" | "id" | "operation">;

/** A changed identity no known operation explains: acknowledged before a restart, its seq not kept. */
export interface RecoveredChange {
  readonly type: LedgerChange["type"];
  readonly id: string;
  /** `meta.lastModified` of the ledger's copy, when it has one: where to look in the IdP's log. */
  readonly lastModified?: string;
}

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
 * Trailers naming the SCIM operations a commit holds: one `SCIM-Operation` each, every one of them (issue 9:
 * a reviewer traces each changed identity line to the IdP operation behind it), and `SCIM-Seq: from..to` so
 * a reader can find them in the ledger.
 */
export function operationTrailers(operations: readonly OperationRef[]): string[] {
  if (operations.length === 0) return [];
  const sorted = [...operations].sort((left, right) => left.seq - right.seq);
  const trailers = sorted.map((op) => `SCIM-Operation: ${operationLabel(op)}`);
  const first = sorted[0]?.seq ?? 0;
  const last = sorted[sorted.length - 1]?.seq ?? 0;
  trailers.push(`SCIM-Seq: ${first === last ? `${first}` : `${first}..${last}`}`);
  return trailers;
}

export function recoveredTrailers(changes: readonly RecoveredChange[]): string[] {
  return changes.map(
    (change) =>
      `SCIM-Recovered: ${change.type} ${change.id} changed before a restart` +
      (change.lastModified === undefined ? "" : ` (last modified ${change.lastModified})`),
  );
}

/**
 * The identities a commit's `SCIM-Operation` and `SCIM-Recovered` trailers name, so a restarted bot can
 * tell what an open proposal already holds.
 */
export function identitiesNamed(message: string): { type: LedgerChange["type"]; id: string }[] {
  const found = new Map<string, { type: LedgerChange["type"]; id: string }>();
  const trailer = /^SCIM-(?:Operation: [A-Z]+|Recovered:) (User|Group) (\S+)/gm;
  for (const match of message.matchAll(trailer)) {
    const type = match[1] === "Group" ? "Group" : "User";
    const id = match[2] ?? "";
    found.set(`${type} ${id}`, { type, id });
  }
  return [...found.values()];
}

export interface SyncMessageInput {
  readonly operations: readonly OperationRef[];
  /** Identities this commit changes whose operation was acknowledged while no proposer ran. */
  readonly recovered?: readonly RecoveredChange[];
  readonly changedFiles: number;
  readonly base: string;
  readonly rebuilt: boolean;
}

export function syncCommitMessage(input: SyncMessageInput): string {
  const count = input.operations.length;
  const recovered = input.recovered ?? [];
  const subject =
    count === 0 && recovered.length === 0
      ? `Rebuild identities on main ${input.base.slice(0, 12)}`
      : count === 0
        ? `Sync ${recovered.length} identit${recovered.length === 1 ? "y" : "ies"} changed before a restart`
        : `Sync ${count} SCIM operation${count === 1 ? "" : "s"} into identity files`;
  const body = input.rebuilt
    ? `Rendered from the identity ledger onto main ${input.base.slice(0, 12)}; ` +
      `${input.changedFiles} identity file(s) change in this commit.`
    : `Rendered from the identity ledger; ${input.changedFiles} identity file(s) change in this commit.`;
  return [
    subject,
    "",
    body,
    "",
    ...operationTrailers(input.operations),
    ...recoveredTrailers(recovered),
    `SCIM-Base: ${input.base}`,
    "",
  ].join("\n");
}
