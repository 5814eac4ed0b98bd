/**
 * A group's members are users this service holds. Okta and Entra only send members they provisioned, and
 * our user ids exist only once the user's POST is durable and answered, so a member value that names no
 * user is an IdP-side mistake (an id from another app or a lost data directory) or a user deleted while
 * the membership was in flight. Refusing the write would stall the IdP on the whole group (Entra retries
 * it with backoff, then quarantines the job, deprovisioning included), so the write goes through without
 * that member and the operator gets a warning. The rendered group file names members by userName and can
 * only hold users either, so SCIM and the file agree.
 */
import type { IdentityLedger, ResourceType } from "../ledger/ledger.js";
import { isObject, type Json } from "./normalise.js";

export interface LeftOutMembers {
  /** Values naming nothing this service holds. */
  readonly unknown: readonly string[];
  /** Values naming a group: nested groups are not provisioned. */
  readonly groups: readonly string[];
}

/** Whether a group's member entry names a user this service holds: the one rule writes and reads share. */
export function isUserMember(ledger: IdentityLedger, member: unknown): boolean {
  return (
    isObject(member) && typeof member.value === "string" && ledger.get("User", member.value) !== undefined
  );
}

/** `group` with only the members that are users, and what was left out. */
export function keepUserMembers(
  ledger: IdentityLedger,
  group: Json,
): { group: Json; leftOut: LeftOutMembers } {
  const members = Array.isArray(group.members) ? (group.members as unknown[]) : [];
  const kept: unknown[] = [];
  const unknown: string[] = [];
  const groups: string[] = [];
  for (const member of members) {
    const value = isObject(member) ? member.value : undefined;
    const id = typeof value === "string" ? value : JSON.stringify(value ?? null);
    if (isUserMember(ledger, member)) kept.push(member);
    else if (typeof value === "string" && ledger.get("Group", value) !== undefined) groups.push(id);
    else unknown.push(id);
  }
  if (kept.length === members.length) return { group, leftOut: { unknown, groups } };
  return { group: { ...group, members: kept }, leftOut: { unknown, groups } };
}

function hasLeftOut(leftOut: LeftOutMembers): boolean {
  return leftOut.unknown.length > 0 || leftOut.groups.length > 0;
}

/** The operator's warning: SCIM ids only (never a token, never a body), and what to do about it. */
function describeLeftOut(groupId: string, leftOut: LeftOutMembers): string {
  const parts: string[] = [];
  if (leftOut.unknown.length > 0) {
    parts.push(`${leftOut.unknown.length} that name no user here (${leftOut.unknown.join(", ")})`);
  }
  if (leftOut.groups.length > 0) {
    parts.push(
      `${leftOut.groups.length} that are groups (${leftOut.groups.join(", ")}); nested groups are not provisioned`,
    );
  }
  return (
    `SCIM: group ${groupId} was stored without ${parts.join(" and ")}. ` +
    "The IdP should only send members it provisioned: assign those people to the app in the IdP, then push the group again"
  );
}

export type Warn = (message: string, fields: Readonly<Record<string, unknown>>) => void;

/**
 * One write's member check: `attributes` runs inside the ledger's edit callback (so it judges the ledger
 * as it is at that instant), `warnIfLeftOut` once the write is acknowledged (so a refused write warns of
 * nothing).
 */
export class MemberCheck {
  readonly #ledger: IdentityLedger;
  readonly #type: ResourceType;
  readonly #warn: Warn;
  #leftOut: LeftOutMembers | undefined;

  constructor(ledger: IdentityLedger, type: ResourceType, warn: Warn) {
    this.#ledger = ledger;
    this.#type = type;
    this.#warn = warn;
  }

  attributes(attributes: Json): Json {
    if (this.#type !== "Group") return attributes;
    const { group, leftOut } = keepUserMembers(this.#ledger, attributes);
    this.#leftOut = leftOut;
    return group;
  }

  warnIfLeftOut(groupId: string): void {
    if (this.#leftOut === undefined || !hasLeftOut(this.#leftOut)) return;
    this.#warn(describeLeftOut(groupId, this.#leftOut), {
      group: groupId,
      unknownMembers: this.#leftOut.unknown,
      groupMembers: this.#leftOut.groups,
    });
  }
}
