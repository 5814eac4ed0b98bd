import { parse } from "yaml";
import type { IdentityFiles } from "../render-identities.js";

/** What one identity file says, as far as a title cares; anything unreadable counts as "changed". */
interface IdentitySketch {
  readonly userName?: string;
  readonly active: boolean;
  readonly deleted: boolean;
}

export interface IdentityChangeCounts {
  readonly usersAdded: number;
  readonly usersReactivated: number;
  /** Deactivated, deleted (tombstoned) or whose file went away. */
  readonly usersRemoved: number;
  readonly usersRenamed: number;
  /** Other edits of a user file: display name, emails, manager… */
  readonly usersUpdated: number;
  readonly groupsAdded: number;
  readonly groupsRemoved: number;
  /** Existing groups whose members or name changed. */
  readonly groupsChanged: number;
}

const PREFIX = "SCIM sync: ";

/**
 * The sync PR's title in people's terms, from the identity files (relative to `identities/`) at main and
 * at the sync head: "SCIM sync: +12 users, −1 user, 3 group changes". The parts always come in one order
 * (users in, users out, renames, other user edits, groups in, groups out, group changes) and only when
 * non-zero, so a title changes only when what it counts changes.
 */
export function renderSyncTitle(base: IdentityFiles, head: IdentityFiles): string {
  const counts = countIdentityChanges(base, head);
  const parts = [
    signed("+", counts.usersAdded, "user", "users"),
    plain(counts.usersReactivated, "reactivated user", "reactivated users"),
    signed("−", counts.usersRemoved, "user", "users"),
    plain(counts.usersRenamed, "rename", "renames"),
    plain(counts.usersUpdated, "profile update", "profile updates"),
    signed("+", counts.groupsAdded, "group", "groups"),
    signed("−", counts.groupsRemoved, "group", "groups"),
    plain(counts.groupsChanged, "group change", "group changes"),
  ].filter((part) => part !== "");
  return `${PREFIX}${parts.length === 0 ? "no identity changes" : parts.join(", ")}`;
}

export function countIdentityChanges(base: IdentityFiles, head: IdentityFiles): IdentityChangeCounts {
  const counts = {
    usersAdded: 0,
    usersReactivated: 0,
    usersRemoved: 0,
    usersRenamed: 0,
    usersUpdated: 0,
    groupsAdded: 0,
    groupsRemoved: 0,
    groupsChanged: 0,
  };
  const paths = new Set([...base.keys(), ...head.keys()]);
  for (const path of paths) {
    const before = base.get(path);
    const after = head.get(path);
    if (before === after) continue;
    if (path.startsWith("users/")) countUser(counts, sketch(before), sketch(after));
    else if (path.startsWith("groups/")) countGroup(counts, sketch(before), sketch(after));
  }
  return counts;
}

function countUser(
  counts: { -readonly [K in keyof IdentityChangeCounts]: number },
  before: IdentitySketch | undefined,
  after: IdentitySketch | undefined,
): void {
  const wasIn = before !== undefined && before.active && !before.deleted;
  const isIn = after !== undefined && after.active && !after.deleted;
  if (!wasIn && isIn) {
    if (before === undefined) counts.usersAdded++;
    else counts.usersReactivated++;
  } else if (wasIn && !isIn) counts.usersRemoved++;
  else if (before?.userName !== after?.userName) counts.usersRenamed++;
  else counts.usersUpdated++;
}

function countGroup(
  counts: { -readonly [K in keyof IdentityChangeCounts]: number },
  before: IdentitySketch | undefined,
  after: IdentitySketch | undefined,
): void {
  if (before === undefined) counts.groupsAdded++;
  else if (after === undefined) counts.groupsRemoved++;
  else counts.groupsChanged++;
}

function sketch(text: string | undefined): IdentitySketch | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    value = undefined;
  }
  const fields = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  return {
    ...(typeof fields["userName"] === "string" ? { userName: fields["userName"] } : {}),
    active: fields["active"] !== false,
    deleted: fields["deleted"] !== undefined && fields["deleted"] !== null,
  };
}

function signed(sign: string, value: number, one: string, many: string): string {
  return value === 0 ? "" : `${sign}${value} ${value === 1 ? one : many}`;
}

function plain(value: number, one: string, many: string): string {
  return value === 0 ? "" : `${value} ${value === 1 ? one : many}`;
}
