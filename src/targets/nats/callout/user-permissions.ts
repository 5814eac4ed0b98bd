import type { AccountPermissions, NatsEntry } from "../entry.js";

export type Decision =
  | { readonly ok: true; readonly account: string; readonly permissions: AccountPermissions }
  | { readonly ok: false; readonly error: string };

/**
 * Which account and permissions a person gets. The account comes from the NATS user name when they pass the
 * token as a password and it names one of their accounts; otherwise (no user name, or one like `alice` or
 * `oidc` that tools send by habit) their only account. An empty permission set means "everything" to NATS,
 * so a person without grants is refused, and an empty direction is denied outright.
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
  if (requested !== undefined && accounts.includes(requested)) {
    account = requested;
  } else if (accounts.length === 1) {
    account = accounts[0]!;
  } else if (accounts.length === 0) {
    return { ok: false, error: `${person} holds no NATS grants` };
  } else {
    // The user name itself stays out of the reason: someone may have pasted a secret there.
    const named = requested === undefined || requested === "" ? "" : ", and the user name names none of them";
    return {
      ok: false,
      error: `${person} holds access in several accounts (${accounts.sort().join(", ")})${named}: pass one of them as the user name and the token as the password`,
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
