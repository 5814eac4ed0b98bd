import type { LedgerOperation, ResourceType, ScimResource } from "../../ledger/ledger.js";
import type { ProposerOptions } from "../../proposals/proposer.js";
import type { ProposerState } from "../../proposals/proposer-state.js";
import type { ApplyOnMergeState } from "../apply-on-merge.js";
import type { LogFields } from "../logger.js";

/** What the thread starts from: where the repository is, its settings, and the ledger as it is. */
export interface ProposerThreadData {
  readonly repoPath: string;
  readonly policyDir: string;
  /**
   * `serve --apply-on-merge`: the environment serve's configuration was read from, so the thread applies
   * each new main itself, beside the proof that compiled it (the compile is remembered by content).
   */
  readonly applyOnMerge?: { readonly env: Readonly<Record<string, string | undefined>> };
  /** Numbers only: functions cannot cross to another thread. */
  readonly settings: ThreadSettings;
  readonly seed: {
    readonly users: readonly ScimResource[];
    readonly groups: readonly ScimResource[];
    readonly lastSeq: number;
  };
}

/** The proposer's settings that can cross to another thread: its numbers. */
export type ThreadSettings = Pick<
  ProposerOptions,
  "debounceMs" | "maxWaitMs" | "maxBatch" | "maxEmergencyBatch" | "watchMainMs" | "retryDelaysMs"
>;

/** One acknowledged ledger change; the thread knows the resource before it from its own copy. */
export interface ThreadChange {
  readonly seq: number;
  readonly type: ResourceType;
  readonly id: string;
  readonly operation: LedgerOperation;
  readonly after: ScimResource | undefined;
  readonly at: string;
}

export type ToThread =
  | { readonly kind: "change"; readonly change: ThreadChange }
  | { readonly kind: "flush"; readonly id: number }
  | { readonly kind: "main-may-have-moved" }
  | { readonly kind: "close"; readonly id: number };

export type FromThread =
  | {
      readonly kind: "state";
      readonly state: ProposerState;
      readonly apply?: ApplyOnMergeState;
      /** Wall-clock ms when it was taken. */
      readonly at: number;
      /** Changes the thread had received by then: the service counts the rest as pending too. */
      readonly received: number;
    }
  | {
      readonly kind: "log";
      readonly level: "info" | "warn" | "error";
      readonly line: string;
      readonly fields?: LogFields;
    }
  | { readonly kind: "main-moved"; readonly head: string }
  | { readonly kind: "done"; readonly id: number; readonly error?: string };
