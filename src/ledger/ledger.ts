/**
 * The identity ledger's contract: the IdP's current view, full SCIM resources (never a password), durable
 * before a write is acknowledged. The SCIM service writes it; the proposer follows its changes.
 */

export type ResourceType = "User" | "Group";

/** A stored SCIM resource as the service returns it (`id`, `schemas`, `meta` and every attribute). */
export interface ScimResource {
  readonly id: string;
  readonly [attribute: string]: unknown;
}

export type LedgerOperation = "create" | "replace" | "patch" | "delete";

export interface LedgerChange {
  /** Strictly increasing across restarts. */
  readonly seq: number;
  readonly type: ResourceType;
  readonly id: string;
  readonly operation: LedgerOperation;
  readonly before: ScimResource | undefined;
  /** Undefined after a delete. */
  readonly after: ScimResource | undefined;
  /** ISO timestamp of the acknowledgement. */
  readonly at: string;
}

export interface IdentityLedger {
  get(type: ResourceType, id: string): ScimResource | undefined;
  /** In a stable order (creation order), so paging is stable. */
  list(type: ResourceType): readonly ScimResource[];
  /** Case-insensitive lookup by `userName` (User) or `displayName` (Group). */
  findByName(type: ResourceType, name: string): ScimResource | undefined;
  /**
   * Read-modify-write one resource, serialised per resource so concurrent PATCHes never lose an update.
   * `edit` receives the current resource (undefined when absent) and returns the next one (undefined to
   * delete) or throws to refuse. Resolves once the change is durable on disk.
   */
  update(
    type: ResourceType,
    id: string,
    operation: LedgerOperation,
    edit: (current: ScimResource | undefined) => ScimResource | undefined,
  ): Promise<LedgerChange>;
  /** Called after each durable change, in seq order. Returns the unsubscribe function. */
  subscribe(listener: (change: LedgerChange) => void): () => void;
  readonly lastSeq: number;
  close(): Promise<void>;
}
