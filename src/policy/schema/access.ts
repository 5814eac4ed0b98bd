import type { AnyTargetPolicy } from "../targets/target-policy.js";
import { checkDate } from "./setting-values.js";
import { list, located, record, type RecordEntry } from "./decode-collections.js";
import { object, type Decoded, type Field } from "./decode-object.js";
import type { Decoder, DecoderOutput } from "./decoder.js";
import { string } from "./decode-scalars.js";

export const ROLE_NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:-]*$";

function checkRoleName(name: string): string | undefined {
  if (new RegExp(ROLE_NAME_PATTERN).test(name)) return undefined;
  return `${JSON.stringify(name)} is not a usable role name; start with a letter or digit and use only letters, digits and . _ : -`;
}

export const bindingSchema = object(
  {
    group: { decoder: string({ description: "A SCIM group's displayName." }) },
    user: { decoder: string({ description: "A SCIM user's userName: a direct, reviewable exception." }) },
    roles: {
      decoder: list(located(string({ pattern: ROLE_NAME_PATTERN })), { minItems: 1 }),
      required: true,
    },
    expires: {
      decoder: string({
        check: checkDate,
        pattern: "^\\d{4}-\\d{2}-\\d{2}$",
        description: "YYYY-MM-DD: the binding gives nothing from the next day (UTC).",
      }),
    },
  },
  { noun: "a binding", description: "A group or a user, and the roles it holds." },
);

/** A role as decoded: its description, and per target name the list of that target's decoded entries. */
export type RoleInput = Decoded<{ description: Field<string> }> & { readonly [target: string]: unknown };

export interface AccessInput {
  readonly roles?: readonly RecordEntry<RoleInput>[];
  readonly bindings?: readonly DecoderOutput<typeof bindingSchema>[];
}

/** A role holds a description and one list per target, each item decoded by that target's entry schema. */
export function roleSchemaFor(targets: readonly AnyTargetPolicy[]): Decoder<RoleInput> {
  return object(
    {
      description: { decoder: string() },
      ...Object.fromEntries(
        targets.map((target): [string, Field<unknown>] => [
          target.name,
          { decoder: list(target.entrySchema) },
        ]),
      ),
    },
    { noun: "a role", description: "What the role grants on each target." },
  );
}

export function accessSchemaFor(targets: readonly AnyTargetPolicy[]): Decoder<AccessInput> {
  return object(
    {
      roles: {
        decoder: record(roleSchemaFor(targets), { keyPattern: ROLE_NAME_PATTERN, checkKey: checkRoleName }),
      },
      bindings: { decoder: list(bindingSchema) },
    },
    { noun: "an access file", description: "scim-gitops roles and bindings (policy format v1)." },
  );
}
