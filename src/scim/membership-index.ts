/**
 * Which groups each user is in, kept from the ledger's group changes, so a user's read-only `groups`
 * attribute costs a map lookup instead of a scan of every group.
 */
import type { IdentityLedger, LedgerChange, ScimResource } from "../ledger/ledger.js";
import { isObject } from "./normalise.js";

function memberIds(group: ScimResource | undefined): Set<string> {
  const ids = new Set<string>();
  const members = group?.members;
  if (!Array.isArray(members)) return ids;
  for (const member of members as unknown[]) {
    const value = isObject(member) ? member.value : undefined;
    if (typeof value === "string") ids.add(value);
  }
  return ids;
}

export class MembershipIndex {
  readonly #groupsOf = new Map<string, Set<string>>();
  readonly #membersOf = new Map<string, Set<string>>();
  readonly #seenSeq = new Map<string, number>();
  readonly #unsubscribe: () => void;

  constructor(ledger: IdentityLedger) {
    this.#unsubscribe = ledger.subscribe((change) => this.apply(change));
    for (const group of ledger.list("Group")) this.#setGroup(group.id, memberIds(group));
  }

  /** Idempotent and order-safe: a change older than one already applied to that group is ignored. */
  apply(change: LedgerChange): void {
    if (change.type !== "Group") return;
    if ((this.#seenSeq.get(change.id) ?? -1) >= change.seq) return;
    this.#seenSeq.set(change.id, change.seq);
    this.#setGroup(change.id, memberIds(change.after));
  }

  groupsOf(memberId: string): readonly string[] {
    const groups = this.#groupsOf.get(memberId);
    return groups === undefined ? [] : [...groups];
  }

  close(): void {
    this.#unsubscribe();
  }

  #setGroup(groupId: string, members: Set<string>): void {
    for (const old of this.#membersOf.get(groupId) ?? []) {
      if (!members.has(old)) this.#groupsOf.get(old)?.delete(groupId);
    }
    for (const member of members) {
      let groups = this.#groupsOf.get(member);
      if (groups === undefined) this.#groupsOf.set(member, (groups = new Set()));
      groups.add(groupId);
    }
    if (members.size === 0) this.#membersOf.delete(groupId);
    else this.#membersOf.set(groupId, members);
  }
}
