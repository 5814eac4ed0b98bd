import type { ResourceType } from "../ledger/ledger.js";
import type { OperationRef, RecoveredChange } from "./commit-message.js";

export interface IdentityRef {
  readonly type: ResourceType;
  readonly id: string;
}

export interface TraceInput {
  /** The identities whose files the commit changes. */
  readonly changed: readonly IdentityRef[];
  readonly operations: readonly OperationRef[];
  /** Keep only operations on a changed identity (a rebuild drops what main already holds). */
  readonly onlyChanged: boolean;
  readonly lastModifiedOf: (identity: IdentityRef) => string | undefined;
}

export interface Trace {
  readonly operations: readonly OperationRef[];
  readonly recovered: readonly RecoveredChange[];
}

/**
 * Which SCIM operations explain a commit's identity files (issue 9's audit trail), and which changed
 * identities no known operation explains: those were acknowledged while no proposer ran, and are named as
 * recovered so every changed line still leads to an identity in the IdP. A user's rename or deletion
 * re-renders the groups listing them, so a group counts as explained whenever a user operation is named.
 */
export function traceOperations(input: TraceInput): Trace {
  const key = (identity: IdentityRef) => `${identity.type}/${identity.id}`;
  const changed = new Set(input.changed.map(key));
  const operations = input.onlyChanged
    ? input.operations.filter((operation) => changed.has(key(operation)))
    : input.operations;
  const explained = new Set(operations.map(key));
  const userNamed = operations.some((operation) => operation.type === "User");
  const recovered = input.changed
    .filter((identity) => !explained.has(key(identity)) && !(identity.type === "Group" && userNamed))
    .map((identity) => {
      const lastModified = input.lastModifiedOf(identity);
      return { ...identity, ...(lastModified === undefined ? {} : { lastModified }) };
    });
  return { operations: dedupe(operations), recovered };
}

function dedupe(operations: readonly OperationRef[]): OperationRef[] {
  const seen = new Map<number, OperationRef>();
  for (const operation of operations) seen.set(operation.seq, operation);
  return [...seen.values()];
}
