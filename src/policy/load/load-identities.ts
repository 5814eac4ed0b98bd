import type { GroupIdentity, SourceLocation, UserIdentity } from "../model/model.js";
import type { DecoderOutput } from "../schema/decoder.js";
import type { groupSchema, userSchema } from "../schema/identities.js";

/** A user file as the model holds it; undefined when it lacks what makes it an identity. */
export function normalizeUser(
  input: DecoderOutput<typeof userSchema>,
  slug: string,
  at: SourceLocation,
): UserIdentity | undefined {
  if (input.id === undefined || input.userName === undefined) return undefined;
  return {
    slug,
    id: input.id,
    ...(input.externalId === undefined ? {} : { externalId: input.externalId }),
    userName: input.userName,
    ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
    active: input.active ?? false,
    emails: input.emails ?? [],
    formerUserNames: input.formerUserNames ?? [],
    ...(input.deleted === undefined ? {} : { deleted: input.deleted }),
    at,
  };
}

export function normalizeGroup(
  input: DecoderOutput<typeof groupSchema>,
  slug: string,
  at: SourceLocation,
): GroupIdentity | undefined {
  if (input.id === undefined || input.displayName === undefined) return undefined;
  return {
    slug,
    id: input.id,
    ...(input.externalId === undefined ? {} : { externalId: input.externalId }),
    displayName: input.displayName,
    members: [...new Set(input.members ?? [])].sort(),
    at,
  };
}
