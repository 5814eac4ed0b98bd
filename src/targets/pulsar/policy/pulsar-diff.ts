import type { AccessChange } from "../../../policy/diff/access-change.js";
import { changeOf, minus, pairByKey, sameList, sameString } from "../../../policy/diff/access-diff-grants.js";
import type { PulsarGrant } from "./pulsar-model.js";

/** Per resource of one principal: which Pulsar actions came and went. A new resource is a grant. */
export function diffPulsarGrants(
  principal: string,
  before: readonly PulsarGrant[],
  after: readonly PulsarGrant[],
): AccessChange[] {
  const keyOf = (grant: PulsarGrant): string => `${grant.resource.kind}:${grant.resource.name}`;
  const permissions = (grant: PulsarGrant | undefined): readonly string[] => {
    if (grant === undefined) return [];
    if (grant.resource.kind === "tenant") return ["tenant-admin"];
    return grant.actions.length > 0 ? grant.actions : ["access"];
  };
  if (sameList(before, after, samePulsarGrant)) return [];
  return pairByKey(before, after, keyOf).flatMap(([old, now]) => {
    const resource = (now ?? old)?.resource;
    if (resource === undefined) return [];
    return changeOf({
      target: "pulsar",
      principal,
      resource,
      gained: minus(permissions(now), permissions(old)),
      lost: minus(permissions(old), permissions(now)),
      denyAdded: [],
      denyLifted: [],
      old: old?.because ?? [],
      now: now?.because ?? [],
    });
  });
}

function samePulsarGrant(left: PulsarGrant, right: PulsarGrant): boolean {
  return (
    left.resource.kind === right.resource.kind &&
    left.resource.name === right.resource.name &&
    sameList(left.actions, right.actions, sameString)
  );
}
