import { list } from "./decode-collections.js";
import { object } from "./decode-object.js";
import { boolean, string } from "./decode-scalars.js";

const CREATED =
  "SCIM meta.created: when the IdP created it, kept so a ledger rebuilt from git answers the same.";

/** SCIM `name` (RFC 7643 §4.1.1): the parts the IdP sent. */
const nameSchema = object(
  {
    givenName: { decoder: string() },
    familyName: { decoder: string() },
    middleName: { decoder: string() },
    honorificPrefix: { decoder: string() },
    honorificSuffix: { decoder: string() },
    formatted: { decoder: string({ description: "The full name as the IdP formats it." }) },
  },
  { noun: "a user's name", additionalKeys: "keep", description: "The name parts the IdP sent." },
);

/**
 * Identity files are the bot's, rendered from the IdP's view. People may add fields of their own, which the
 * bot keeps, so unknown keys are accepted here and only here.
 */
export const userSchema = object(
  {
    id: { decoder: string({ description: "SCIM id." }), required: true },
    externalId: { decoder: string({ description: "The IdP's own id." }) },
    userName: {
      decoder: string({ description: "SCIM userName: what bindings and groups name." }),
      required: true,
    },
    displayName: { decoder: string() },
    name: { decoder: nameSchema },
    active: { decoder: boolean("Inactive users have no access."), required: true },
    emails: { decoder: list(string(), { description: "Addresses, primary first." }) },
    formerUserNames: {
      decoder: list(string(), {
        description: "Names this person had before a rename; revoked like a leaver's.",
      }),
    },
    created: { decoder: string({ description: CREATED }) },
    deleted: { decoder: string({ description: "When the IdP deleted the user: the file is a tombstone." }) },
  },
  { noun: "a user file", additionalKeys: "keep", description: "A SCIM user, written by scim-gitops." },
);

export const groupSchema = object(
  {
    id: { decoder: string({ description: "SCIM id." }), required: true },
    externalId: { decoder: string({ description: "The IdP's own id." }) },
    displayName: { decoder: string({ description: "What bindings name." }), required: true },
    members: { decoder: list(string(), { description: "Members' userNames, sorted." }) },
    created: { decoder: string({ description: CREATED }) },
  },
  { noun: "a group file", additionalKeys: "keep", description: "A SCIM group, written by scim-gitops." },
);
