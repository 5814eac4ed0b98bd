import type { AccessChange } from "../../../policy/diff/access-change.js";
import { changeOf, minus, pairByKey, sameList, sameString } from "../../../policy/diff/access-diff-grants.js";
import type { NatsGrant } from "./nats-model.js";

/**
 * Per account of one principal: allows compared as sets of subjects, and denies the other way round (a
 * deny lifted widens access, DESIGN §3). A new account is a grant; an account gone takes its denies with
 * it. Subjects are compared as strings: narrowing `a.>` to `a.b` shows as losing one and gaining the other,
 * which the revocation-only gate treats as a grant.
 */
export function diffNatsGrants(
  principal: string,
  before: readonly NatsGrant[],
  after: readonly NatsGrant[],
): AccessChange[] {
  // `access` stands for reaching the account at all; it only comes and goes with the account itself, since
  // an empty allow list next to other entries of the account allows nothing more.
  const allows = (grant: NatsGrant | undefined, other: NatsGrant | undefined): readonly string[] => {
    if (grant === undefined) return [];
    const subjects = [
      ...grant.publish.allow.map((subject) => `publish ${subject}`),
      ...grant.subscribe.allow.map((subject) => `subscribe ${subject}`),
    ];
    return subjects.length > 0 || other !== undefined ? subjects : ["access"];
  };
  const denies = (grant: NatsGrant | undefined): readonly string[] =>
    grant === undefined
      ? []
      : [
          ...grant.publish.deny.map((subject) => `publish ${subject}`),
          ...grant.subscribe.deny.map((subject) => `subscribe ${subject}`),
        ];
  if (sameList(before, after, sameNatsGrant)) return [];
  return pairByKey(before, after, (grant) => grant.account).flatMap(([old, now]) => {
    const account = (now ?? old)?.account;
    if (account === undefined) return [];
    const both = old !== undefined && now !== undefined;
    return changeOf({
      target: "nats",
      principal,
      resource: { kind: "account", name: account },
      gained: minus(allows(now, old), allows(old, now)),
      lost: minus(allows(old, now), allows(now, old)),
      denyAdded: both ? minus(denies(now), denies(old)) : [],
      denyLifted: both ? minus(denies(old), denies(now)) : [],
      old: old?.because ?? [],
      now: now?.because ?? [],
    });
  });
}

function sameNatsGrant(left: NatsGrant, right: NatsGrant): boolean {
  return (
    left.account === right.account &&
    sameList(left.publish.allow, right.publish.allow, sameString) &&
    sameList(left.publish.deny, right.publish.deny, sameString) &&
    sameList(left.subscribe.allow, right.subscribe.allow, sameString) &&
    sameList(left.subscribe.deny, right.subscribe.deny, sameString)
  );
}
