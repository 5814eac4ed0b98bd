import type { SubjectPermissions } from "../../policy/model.js";

/** One account's permissions inside a person's KV entry: NATS's own allow/deny shape. */
export interface AccountPermissions {
  readonly publish: SubjectPermissions;
  readonly subscribe: SubjectPermissions;
}

/**
 * The value under `base64url(principal)` in the bucket (DESIGN §6, NATS). The callout service reads it;
 * `changedBy` is audit only and never compared.
 */
export interface NatsEntry {
  readonly v: 1;
  readonly principal: string;
  readonly accounts: Readonly<Record<string, AccountPermissions>>;
  readonly disabled?: boolean;
  readonly changedBy: string;
}

export class NatsEntryError extends Error {
  override name = "NatsEntryError";
}

/** KV keys cannot hold `@` and similar: base64url without padding keeps every principal a valid key. */
export function keyForPrincipal(principal: string): string {
  return Buffer.from(principal, "utf8").toString("base64url");
}

export function principalForKey(key: string): string {
  return Buffer.from(key, "base64url").toString("utf8");
}

export function encodeEntry(entry: NatsEntry): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(entry));
}

/** Parses and normalises (sorted, deduplicated lists); throws NatsEntryError on anything else. */
export function decodeEntry(key: string, data: Uint8Array): NatsEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(data));
  } catch (error) {
    throw new NatsEntryError(`the entry under ${key} is not JSON`, { cause: error });
  }
  if (!isRecord(raw) || raw.v !== 1 || typeof raw.principal !== "string" || !isRecord(raw.accounts)) {
    throw new NatsEntryError(`the entry under ${key} is not a v1 entry {v: 1, principal, accounts}`);
  }
  const accounts: Record<string, AccountPermissions> = {};
  for (const [account, value] of Object.entries(raw.accounts)) {
    if (!isRecord(value)) throw new NatsEntryError(`the entry under ${key} has a bad account ${account}`);
    accounts[account] = {
      publish: readSubjects(value.publish, key, account),
      subscribe: readSubjects(value.subscribe, key, account),
    };
  }
  return {
    v: 1,
    principal: raw.principal,
    accounts,
    ...(raw.disabled === true ? { disabled: true } : {}),
    changedBy: typeof raw.changedBy === "string" ? raw.changedBy : "",
  };
}

export function normaliseSubjects(list: readonly string[]): string[] {
  return [...new Set(list)].sort();
}

export function samePermissions(
  a: AccountPermissions | undefined,
  b: AccountPermissions | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    sameList(a.publish.allow, b.publish.allow) &&
    sameList(a.publish.deny, b.publish.deny) &&
    sameList(a.subscribe.allow, b.subscribe.allow) &&
    sameList(a.subscribe.deny, b.subscribe.deny)
  );
}

/**
 * Whether going from `before` to `after` takes anything away: an allow lost, or a deny gained (a NATS deny
 * applies to the whole user, DESIGN §3). Set-based: wildcard subsumption is not reasoned about, so a rewrite
 * of `a.*` into `a.b` counts as narrowing, which errs on the side of kicking.
 */
export function narrowsPermissions(
  before: AccountPermissions | undefined,
  after: AccountPermissions | undefined,
): boolean {
  if (before === undefined) return false;
  if (after === undefined) return true;
  const lost = (was: readonly string[], now: readonly string[]) => was.some((item) => !now.includes(item));
  return (
    lost(before.publish.allow, after.publish.allow) ||
    lost(before.subscribe.allow, after.subscribe.allow) ||
    lost(after.publish.deny, before.publish.deny) ||
    lost(after.subscribe.deny, before.subscribe.deny)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

function readSubjects(value: unknown, key: string, account: string): SubjectPermissions {
  const list = (field: unknown): string[] => {
    if (field === undefined) return [];
    if (!Array.isArray(field) || field.some((item) => typeof item !== "string")) {
      throw new NatsEntryError(`the entry under ${key} has a bad subject list in account ${account}`);
    }
    return normaliseSubjects(field as string[]);
  };
  if (!isRecord(value)) return { allow: [], deny: [] };
  return { allow: list(value.allow), deny: list(value.deny) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
