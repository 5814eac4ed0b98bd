/**
 * A stored resource as a client sees it: `meta.location`, Groups always with `members` (scimmy's filters
 * crash on groups without it, defect 11) listing only users that exist, exactly as the rendered group file
 * does, Users with their computed read-only `groups`.
 */
import type { IdentityLedger, ScimResource } from "../ledger/ledger.js";
import { isUserMember } from "./group-members.js";
import type { MembershipIndex } from "./membership-index.js";
import { isObject, type Json } from "./normalise.js";
import { keepsAttribute, project, type Projection } from "./projection.js";
import type { ResourceSchema } from "./schemas.js";

export interface RenderContext {
  readonly ledger: IdentityLedger;
  readonly memberships: MembershipIndex;
  /** `http://host:port/scim/v2`, without a trailing slash. */
  readonly root: string;
}

export function locationOf(context: RenderContext, schema: ResourceSchema, id: string): string {
  return `${context.root}/${schema.endpoint}/${encodeURIComponent(id)}`;
}

export function renderResource(
  context: RenderContext,
  schema: ResourceSchema,
  stored: ScimResource,
  projection: Projection | undefined,
): Json {
  const meta = isObject(stored.meta) ? stored.meta : {};
  const out: Json = { ...stored, meta: { ...meta, location: locationOf(context, schema, stored.id) } };
  delete out.password;
  if (schema.type === "Group") {
    // Writes already keep members to users (group-members.ts); a journal written before that, or a user
    // deleted a moment ago whose groups are still being updated, must not show more than the file does.
    // Entra's lookups exclude members: a group of everyone then costs nothing to answer.
    const members = Array.isArray(out.members) ? (out.members as unknown[]) : [];
    out.members = keepsAttribute(projection, "members")
      ? members.filter((member) => isUserMember(context.ledger, member))
      : [];
  } else {
    const groups = context.memberships.groupsOf(stored.id).map((groupId) => {
      const group = context.ledger.get("Group", groupId);
      return {
        value: groupId,
        $ref: `${context.root}/Groups/${encodeURIComponent(groupId)}`,
        ...(typeof group?.displayName === "string" ? { display: group.displayName } : {}),
        type: "direct",
      };
    });
    if (groups.length > 0) out.groups = groups;
  }
  return projection === undefined ? out : project(out, projection);
}
