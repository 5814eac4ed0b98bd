import type { SubjectPermissions } from "./policy/nats-model.js";

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
  // Compiled grants and entries apply wrote are sorted already: only check them.
  for (let index = 1; index < list.length; index++) {
    if (!((list[index - 1] as string) < (list[index] as string))) return [...new Set(list)].sort();
  }
  return [...list];
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
 * Whether going from `before` to `after` takes anything away: an allow no longer covered (NATS wildcard
 * rules: `app.>` covers `app.orders.>`), or a deny gained (a NATS deny applies to the whole user, DESIGN §3).
 */
export function narrowsPermissions(
  before: AccountPermissions | undefined,
  after: AccountPermissions | undefined,
): boolean {
  if (before === undefined) return false;
  if (after === undefined) return true;
  const uncovered = (was: readonly string[], now: readonly string[]) =>
    was.some((subject) => !now.some((pattern) => coversSubject(pattern, subject)));
  const gained = (was: readonly string[], now: readonly string[]) => now.some((item) => !was.includes(item));
  return (
    uncovered(before.publish.allow, after.publish.allow) ||
    uncovered(before.subscribe.allow, after.subscribe.allow) ||
    gained(before.publish.deny, after.publish.deny) ||
    gained(before.subscribe.deny, after.subscribe.deny)
  );
}

/** Whether every subject `subject` can match is also matched by `pattern` (`*` one token, `>` the rest). */
export function coversSubject(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let index = 0; index < p.length; index++) {
    const token = p[index];
    if (token === ">") return index < s.length;
    const other = s[index];
    if (other === undefined) return false;
    if (token === "*") {
      if (other === ">") return false;
      continue;
    }
    if (token !== other) return false;
  }
  return p.length === s.length;
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
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
