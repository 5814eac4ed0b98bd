import type { AccountPermissions, NatsEntry } from "../entry.js";

export type Decision =
  | { readonly ok: true; readonly account: string; readonly permissions: AccountPermissions }
  | { readonly ok: false; readonly error: string };

/**
 * Which account and permissions a person gets. The account comes from the NATS user name when they pass the
 * token as a password, else their only account. An empty permission set means "everything" to NATS, so a
 * person without grants is refused, and an empty direction is denied outright.
 */
export function decideAccess(
  person: string,
  entry: NatsEntry | undefined,
  requested: string | undefined,
): Decision {
  if (entry === undefined)
    return { ok: false, error: `${person} holds no NATS access (no entry in the permission table)` };
  if (entry.disabled === true) return { ok: false, error: `${person} is disabled in the permission table` };
  const accounts = Object.keys(entry.accounts).filter((name) => hasGrants(entry.accounts[name]!));
  let account: string;
  if (requested !== undefined && requested !== "") {
    if (!accounts.includes(requested))
      return { ok: false, error: `${person} holds no access in account ${requested}` };
    account = requested;
  } else if (accounts.length === 1) {
    account = accounts[0]!;
  } else if (accounts.length === 0) {
    return { ok: false, error: `${person} holds no NATS grants` };
  } else {
    return {
      ok: false,
      error: `${person} holds access in several accounts (${accounts.sort().join(", ")}): pass the account as the user name and the token as the password`,
    };
  }
  return { ok: true, account, permissions: entry.accounts[account]! };
}

function hasGrants(permissions: AccountPermissions): boolean {
  return permissions.publish.allow.length + permissions.subscribe.allow.length > 0;
}

/** NATS's user-JWT shape; an empty allow list would allow everything, so it becomes a deny of `>`. */
export function toJwtPermissions(permissions: AccountPermissions): {
  pub: { allow: string[]; deny: string[] };
  sub: { allow: string[]; deny: string[] };
} {
  const side = (subjects: AccountPermissions["publish"]) => ({
    allow: [...subjects.allow],
    deny: subjects.allow.length === 0 ? [">"] : [...subjects.deny],
  });
  return { pub: side(permissions.publish), sub: side(permissions.subscribe) };
}
