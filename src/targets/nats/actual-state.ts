import type { NatsEntry } from "./entry.js";

/** What the bucket holds, as `readActual` found it. */
export interface NatsActual {
  readonly bucket: string;
  /** False when the bucket does not exist yet: apply creates it. */
  readonly bucketExists: boolean;
  /** By principal. */
  readonly entries: Readonly<Record<string, NatsEntry>>;
  /** Keys whose value could not be read, with why: shown as notices, never rewritten blindly. */
  readonly unreadable: Readonly<Record<string, string>>;
}
