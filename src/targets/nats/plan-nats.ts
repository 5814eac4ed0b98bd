import type { EffectiveAccess, Person, Provenance } from "../../policy/model/effective-access.js";
import type { NatsGrant } from "./policy/nats-model.js";
import { natsPolicy } from "./policy/nats-policy.js";
import type { Settings } from "../../policy/model/model.js";
import type { PlannedChange, TargetPlan } from "../../plan/plan.js";
import { fingerprintState } from "../../plan/fingerprint.js";
import { orderChanges } from "../../plan/order-changes.js";
import { summariseProvenance } from "../../plan/summarise-provenance.js";
import type { NatsActual } from "./actual-state.js";
import {
  keyForPrincipal,
  narrowsPermissions,
  normaliseSubjects,
  sameList,
  samePermissions,
  type AccountPermissions,
} from "./entry.js";
import type { NatsOperation } from "./operation.js";

/**
 * Pure: the changes that bring the bucket to what the policy says, one per person and managed account.
 * Permissions only are compared (never `changedBy`), so an unchanged person is never rewritten; accounts
 * outside `nats.manage.accounts` are neither read into the plan nor touched.
 */
export function planNats(desired: EffectiveAccess, settings: Settings, actual: NatsActual): TargetPlan {
  const fingerprint = fingerprintState(comparable(actual));
  const nats = natsPolicy.settingsOf(settings);
  if (nats === undefined) {
    return { target: "nats", actualFingerprint: fingerprint, holders: 0, changes: [], notices: [] };
  }
  const managed = new Set(nats.manage.accounts);
  const owners = new Map<string, Person>();
  for (const person of desired.people.values()) {
    const principal = person.principals[natsPolicy.name];
    if (principal !== undefined) owners.set(principal, person);
  }
  const changes: PlannedChange[] = [];
  const notices: string[] = [];
  const protectedKept: string[] = [];
  const holders = new Set<string>();
  const access = natsPolicy.accessOf(desired);
  const principals = new Set([...Object.keys(actual.entries), ...access.principals.keys()]);

  for (const principal of [...principals].sort()) {
    const entry = actual.entries[principal];
    const grants = new Map<string, NatsGrant>();
    for (const grant of access.principals.get(principal)?.grants ?? []) {
      if (managed.has(grant.account)) grants.set(grant.account, grant);
    }
    const accounts = new Set([...Object.keys(entry?.accounts ?? {}), ...grants.keys()]);
    const disabled = entry?.disabled === true;
    for (const account of [...accounts].sort()) {
      if (!managed.has(account)) continue;
      const before = entry?.accounts[account];
      if (before !== undefined && !disabled) holders.add(principal);
      const grant = grants.get(account);
      // In sync, the common case: compared without building the permissions a change would write.
      if (!disabled && before !== undefined && grant !== undefined && holdsGrant(before, grant)) continue;
      const after = grant === undefined ? undefined : permissionsOf(grant);
      if (samePermissions(before, after) && !(disabled && after !== undefined)) continue;
      const narrows = !disabled && narrowsPermissions(before, after);
      if (nats.protectedPrincipals.includes(principal)) {
        if (narrows) protectedKept.push(`${principal} (account ${account})`);
        continue;
      }
      const effectiveBefore = disabled ? undefined : before;
      const operation: NatsOperation = {
        kind: "nats-account",
        bucket: nats.bucket,
        key: keyForPrincipal(principal),
        principal,
        account,
        permissions: after ?? null,
        ...(disabled && after !== undefined ? { enable: true } : {}),
      };
      changes.push({
        target: "nats",
        action: effectiveBefore === undefined ? "grant" : after === undefined ? "revoke" : "update",
        principal,
        resource: `account ${account}`,
        before: disabled && before !== undefined ? `disabled (${show(before)})` : show(before),
        after: show(after),
        narrows,
        reason: reasonFor(principal, grant?.because, desired, owners),
        operation: { ...operation } as unknown as PlannedChange["operation"],
      });
    }
  }
  if (protectedKept.length > 0) {
    notices.push(
      `protected principals kept although the policy would narrow them: ${protectedKept.join(", ")} (nats.protectedPrincipals)`,
    );
  }
  for (const [key, why] of Object.entries(actual.unreadable).sort()) {
    notices.push(`bucket ${actual.bucket}: key ${key} left alone: ${why}; fix or delete it by hand`);
  }
  if (!actual.bucketExists) notices.push(`bucket ${actual.bucket} does not exist yet: apply creates it`);
  return {
    target: "nats",
    actualFingerprint: fingerprint,
    holders: holders.size,
    changes: orderChanges(changes),
    notices,
  };
}

/** What the fingerprint covers: the permissions, never `changedBy`, so an audit field cannot make a plan stale. */
function comparable(actual: NatsActual): unknown {
  const entries: Record<string, unknown> = {};
  for (const [principal, entry] of Object.entries(actual.entries)) {
    entries[principal] = { accounts: entry.accounts, disabled: entry.disabled === true };
  }
  return { bucket: actual.bucket, bucketExists: actual.bucketExists, entries, unreadable: actual.unreadable };
}

function permissionsOf(grant: NatsGrant): AccountPermissions {
  return {
    publish: { allow: normaliseSubjects(grant.publish.allow), deny: normaliseSubjects(grant.publish.deny) },
    subscribe: {
      allow: normaliseSubjects(grant.subscribe.allow),
      deny: normaliseSubjects(grant.subscribe.deny),
    },
  };
}

/** `samePermissions(permissions, permissionsOf(grant))`, without copying the grant's lists. */
function holdsGrant(permissions: AccountPermissions, grant: NatsGrant): boolean {
  return (
    sameSubjects(permissions.publish.allow, grant.publish.allow) &&
    sameSubjects(permissions.publish.deny, grant.publish.deny) &&
    sameSubjects(permissions.subscribe.allow, grant.subscribe.allow) &&
    sameSubjects(permissions.subscribe.deny, grant.subscribe.deny)
  );
}

/** Whether `list` is `normaliseSubjects(subjects)`: a strictly sorted list normalises to a copy of itself. */
function sameSubjects(list: readonly string[], subjects: readonly string[]): boolean {
  for (let index = 1; index < subjects.length; index++) {
    if (!((subjects[index - 1] as string) < (subjects[index] as string))) {
      return sameList(list, normaliseSubjects(subjects));
    }
  }
  return sameList(list, subjects);
}

/** `pub [a.>] sub [a.>, _INBOX.>] deny sub [a.secret]`: one line a reviewer can compare. */
function show(permissions: AccountPermissions | undefined): string | null {
  if (permissions === undefined) return null;
  const parts = [
    `pub [${permissions.publish.allow.join(", ")}]`,
    `sub [${permissions.subscribe.allow.join(", ")}]`,
  ];
  if (permissions.publish.deny.length > 0) parts.push(`deny pub [${permissions.publish.deny.join(", ")}]`);
  if (permissions.subscribe.deny.length > 0)
    parts.push(`deny sub [${permissions.subscribe.deny.join(", ")}]`);
  return parts.join(" ");
}

function reasonFor(
  principal: string,
  because: readonly Provenance[] | undefined,
  desired: EffectiveAccess,
  owners: ReadonlyMap<string, Person>,
): string {
  if (because !== undefined) return summariseProvenance(because);
  const person = owners.get(principal);
  if (natsPolicy.accessOf(desired).retired.has(principal)) {
    if (person === undefined) return "deprovisioned: a former user name, or a person no longer in the policy";
    if (person.deleted !== undefined)
      return `deprovisioned: ${person.userName} was deleted at ${person.deleted}`;
    if (!person.active) return `deprovisioned: ${person.userName} is deactivated`;
    return `deprovisioned: a former user name of ${person.userName}`;
  }
  if (person !== undefined) return "no binding grants this any more";
  // The bucket is scim-gitops's own table: an entry the policy does not know has no one to answer for it.
  return "not in the policy: the bucket holds only what the policy grants";
}
