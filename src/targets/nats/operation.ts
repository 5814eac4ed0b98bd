import type { AccountPermissions } from "./entry.js";

/**
 * What apply does for one planned change: set (or, with `permissions: null`, remove) one account of one
 * person's entry. Apply merges every change of a person into one write of their key; a key left with no
 * account is deleted.
 */
export interface NatsOperation {
  readonly kind: "nats-account";
  readonly bucket: string;
  readonly key: string;
  readonly principal: string;
  readonly account: string;
  readonly permissions: AccountPermissions | null;
  /** The entry was disabled and the policy grants something: the write enables it. */
  readonly enable?: boolean;
}

export function isNatsOperation(value: unknown): value is NatsOperation {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as { kind?: unknown }).kind === "nats-account" &&
    typeof (value as { key?: unknown }).key === "string"
  );
}
