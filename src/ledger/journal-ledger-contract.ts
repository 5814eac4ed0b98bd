import type { SyncFile } from "./journal-file.js";
import type { IdentityLedger, ScimResource } from "./ledger.js";

/** The on-disk ledger's options and what it offers beyond the IdentityLedger contract. */
export interface SeedResources {
  readonly users: readonly ScimResource[];
  readonly groups: readonly ScimResource[];
}

export interface LedgerOptions {
  readonly dir: string;
  /** Called only when the data directory holds no ledger yet (first run, or a lost disk). */
  readonly seed?: () => Promise<SeedResources>;
  /** Compact once the journal is this large (default 64 MiB). */
  readonly compactAfterBytes?: number;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
  /**
   * Whether writes that arrive while an fsync runs share the next one (default true). Off, every write
   * has an fsync of its own, one after another: the baseline the SCIM load benchmark prints beside it.
   */
  readonly groupCommit?: boolean;
  /** How the journal is made durable (default fdatasync); tests count and hold the calls through it. */
  readonly syncFile?: SyncFile;
}

/** What `/healthz` and `/metrics` show; counts only, never an identity. */
export interface LedgerHealth {
  readonly ok: boolean;
  readonly failure?: string;
  readonly lastSeq: number;
  readonly users: number;
  readonly groups: number;
  readonly pendingWrites: number;
  readonly journalBytes: number;
  readonly fsyncs: number;
  readonly compactions: number;
}

export interface JournalLedger extends IdentityLedger {
  readonly dir: string;
  health(): LedgerHealth;
  /** Writes a snapshot of everything durable and empties the journal. */
  compact(): Promise<void>;
}
