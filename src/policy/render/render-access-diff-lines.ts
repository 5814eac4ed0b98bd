import type { AccessChange, AccessDiff, PersonAccessChange } from "../diff/access-change.js";
import type { Provenance } from "../model/effective-access.js";
import type { SourceLocation } from "../model/model.js";

/** One sentence: the verdict, then who gains and who loses. */
export function summariseAccessDiff(diff: AccessDiff): string {
  if (diff.people.length === 0) return "No access changes.";
  const gains = `${count(diff.peopleGaining, "person", "people")} ${diff.peopleGaining === 1 ? "gains" : "gain"} ${count(diff.grants, "permission", "permissions")}`;
  const losses = `${count(diff.peopleLosing, "person", "people")} ${diff.peopleLosing === 1 ? "loses" : "lose"} ${count(diff.revocations, "permission", "permissions")}`;
  return diff.revocationOnly
    ? `Revocation-only: ${losses}; nobody gains anything.`
    : `Grants access: ${gains}${diff.peopleLosing > 0 ? `; ${losses}` : ""}.`;
}

export interface ChangeLine {
  readonly sign: "+" | "-";
  readonly what: string;
  readonly because: readonly Provenance[];
}

/** A change as the lines a reviewer reads: what is gained or lost, and the bindings behind it. */
export function changeLines(change: AccessChange): ChangeLine[] {
  const lines: ChangeLine[] = [];
  if (change.gained.length > 0) {
    lines.push({ sign: "+", what: change.gained.join(", "), because: change.gainedBecause });
  }
  if (change.denyLifted.length > 0) {
    lines.push({
      sign: "+",
      what: `deny lifted: ${change.denyLifted.join(", ")}`,
      because: change.gainedBecause,
    });
  }
  if (change.lost.length > 0) {
    lines.push({ sign: "-", what: change.lost.join(", "), because: change.lostBecause });
  }
  if (change.denyAdded.length > 0) {
    lines.push({
      sign: "-",
      what: `now denied: ${change.denyAdded.join(", ")}`,
      because: change.lostBecause,
    });
  }
  return lines;
}

export function describeResource(change: AccessChange): string {
  return `${change.resource.kind} ${change.resource.name}`;
}

/** `alice@example.com (Alice Example), renamed from al@example.com, active → inactive`; `…, new` */
export function describePerson(person: PersonAccessChange): string {
  const parts = [
    person.displayName === undefined ? person.userName : `${person.userName} (${person.displayName})`,
  ];
  if (person.formerUserName !== undefined) parts.push(`renamed from ${person.formerUserName}`);
  const { before, after } = person.status;
  if (before === "absent") parts.push(after === "active" ? "new" : `new, ${after}`);
  else if (after === "absent") parts.push("identity file removed");
  else if (before !== after) parts.push(`${before} → ${after}`);
  else if (after !== "active") parts.push(after);
  return parts.join(", ");
}

/** `group:payments-engineers → payments-writer (access/teams.yaml:12 → access/teams.yaml:3)` */
export function describeProvenance(because: Provenance): string {
  return `${because.subject} → ${because.role} (${where(because.binding)} → ${where(because.roleEntry)})`;
}

export function where(at: SourceLocation): string {
  return `${at.file}:${at.line}`;
}

export function count(value: number, one: string, many: string): string {
  return `${value} ${value === 1 ? one : many}`;
}
