import { accepting, either, list } from "../../../policy/schema/decode-collections.js";
import { object } from "../../../policy/schema/decode-object.js";
import { string } from "../../../policy/schema/decode-scalars.js";
import type { DecoderOutput } from "../../../policy/schema/decoder.js";
import { principalSetting, protectedPrincipalsSetting } from "../../../policy/schema/settings.js";
import { NATS_SUBJECT_PATTERN, checkKvBucket, checkNatsAccount, checkNatsSubject } from "./nats-names.js";

const subjects = list(string({ check: checkNatsSubject, pattern: NATS_SUBJECT_PATTERN }));

const subjectPermissions = either(
  accepting(subjects, (node) => node.kind === "seq"),
  object(
    { allow: { decoder: subjects }, deny: { decoder: subjects } },
    { noun: "a NATS permission", description: "As in NATS configuration: subjects allowed and denied." },
  ),
  "A list of allowed subjects, or {allow, deny}.",
);

export const natsEntrySchema = object(
  {
    account: { decoder: string({ check: checkNatsAccount }), required: true },
    publish: { decoder: subjectPermissions },
    subscribe: { decoder: subjectPermissions },
  },
  {
    noun: "a role's `nats` entry",
    description: "Subjects a person may publish and subscribe to in an account.",
  },
);

export const natsSettingsSchema = object(
  {
    principal: { decoder: principalSetting },
    manage: {
      decoder: object(
        { accounts: { decoder: list(string({ check: checkNatsAccount })) } },
        { noun: "`nats.manage`", description: "The NATS accounts scim-gitops grants in." },
      ),
    },
    protectedPrincipals: { decoder: protectedPrincipalsSetting },
    bucket: {
      decoder: string({
        check: checkKvBucket,
        description: 'The KV bucket the callout service reads. Default "scim-gitops-access".',
      }),
    },
  },
  { noun: "settings `nats`", description: "How people become NATS users, and which accounts are managed." },
);

export type NatsEntryInput = DecoderOutput<typeof natsEntrySchema>;
export type NatsSettingsInput = DecoderOutput<typeof natsSettingsSchema>;
