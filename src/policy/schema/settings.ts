import type { AnyTargetPolicy } from "../targets/target-policy.js";
import { PERCENT_PATTERN, checkPercent, checkPrincipalTemplate } from "./setting-values.js";
import { accepting, either, list } from "./decode-collections.js";
import { object, type Decoded, type Field } from "./decode-object.js";
import type { Decoder, DecoderOutput } from "./decoder.js";
import { boolean, integer, string } from "./decode-scalars.js";

/** The `principal` field every target's settings section has. */
export const principalSetting = string({
  description:
    'Template over user fields: {userName}, {id}, {externalId}, {emails[0]}. Default "{userName}".',
  check: checkPrincipalTemplate,
});

/** The `protectedPrincipals` field every target's settings section has. */
export const protectedPrincipalsSetting = list(string(), {
  description:
    "Principals that scim-gitops never grants to and never revokes (break-glass and service accounts).",
});

export const guardsSchema = object(
  {
    maxRevocations: {
      decoder: either(
        accepting(
          string({ check: checkPercent, pattern: PERCENT_PATTERN, expected: 'a percentage such as "25%"' }),
          (node) => node.kind === "scalar" && typeof node.value === "string",
        ),
        integer({ minimum: 0 }),
        "Most principals one apply may revoke per target: a share of those holding access, or a count. Default 25%.",
      ),
    },
    minRevocations: {
      decoder: integer({
        minimum: 0,
        description: "Revocations always allowed whatever the share. Default 5.",
      }),
    },
  },
  { noun: "settings `guards`" },
);

export const EMERGENCY_TRIGGERS = ["deactivated", "deleted", "removed-from-group"] as const;
export const EMERGENCY_MERGES = ["direct", "auto", "off"] as const;

export const emergencySchema = object(
  {
    triggers: { decoder: list(string({ enum: EMERGENCY_TRIGGERS })) },
    merge: {
      decoder: string({
        enum: EMERGENCY_MERGES,
        description:
          "direct: the bot merges a proven revocation-only PR; auto: GitHub auto-merge; off: open only.",
      }),
    },
    expiry: {
      decoder: boolean(
        "true: the scheduled removal of expired bindings (scim-gitops expire) is labelled emergency-deprovision, so the App merges it once proven revocation-only. Default false: it waits for review.",
      ),
    },
  },
  { noun: "settings `emergency`" },
);

export const expirySchema = object(
  {
    warnWithinDays: {
      decoder: integer({
        minimum: 0,
        description:
          "Bindings whose `expires` falls within this many days are flagged in the pull-request plan comment. Default 14.",
      }),
    },
  },
  { noun: "settings `expiry`" },
);

/** settings.yaml as decoded: the common sections, and per target name its decoded section. */
export type SettingsInput = Decoded<{
  version: Field<number>;
  guards: Field<DecoderOutput<typeof guardsSchema>>;
  emergency: Field<DecoderOutput<typeof emergencySchema>>;
  expiry: Field<DecoderOutput<typeof expirySchema>>;
}> & { readonly [target: string]: unknown };

/** settings.yaml: the version, one section per target (in the registry's order), guards, emergency, expiry. */
export function settingsSchemaFor(targets: readonly AnyTargetPolicy[]): Decoder<SettingsInput> {
  return object(
    {
      version: { decoder: integer({ const: 1, description: "Policy format version." }), required: true },
      ...Object.fromEntries(
        targets.map((target): [string, Field<unknown>] => [target.name, { decoder: target.settingsSchema }]),
      ),
      guards: { decoder: guardsSchema },
      emergency: { decoder: emergencySchema },
      expiry: { decoder: expirySchema },
    },
    { noun: "settings.yaml", description: "scim-gitops settings (policy format v1)." },
  );
}
