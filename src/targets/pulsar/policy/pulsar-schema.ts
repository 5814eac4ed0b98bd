import { list, located, variants } from "../../../policy/schema/decode-collections.js";
import { object } from "../../../policy/schema/decode-object.js";
import { boolean, string } from "../../../policy/schema/decode-scalars.js";
import type { DecoderOutput } from "../../../policy/schema/decoder.js";
import { principalSetting, protectedPrincipalsSetting } from "../../../policy/schema/settings.js";
import { PULSAR_ACTIONS } from "./pulsar-model.js";
import {
  PULSAR_NAME_PATTERN,
  PULSAR_NAMESPACE_PATTERN,
  PULSAR_TOPIC_PATTERN,
  checkPulsarNamespace,
  checkPulsarTenant,
  checkPulsarTopic,
} from "./pulsar-names.js";

const actions = list(string({ enum: PULSAR_ACTIONS }), { minItems: 1 });

const namespaceEntry = object(
  {
    namespace: {
      decoder: string({ check: checkPulsarNamespace, pattern: PULSAR_NAMESPACE_PATTERN }),
      required: true,
    },
    actions: { decoder: actions, required: true },
  },
  {
    noun: "a Pulsar namespace grant",
    description: "Actions on every topic of a namespace (tenant/namespace).",
  },
);

const topicEntry = object(
  {
    topic: { decoder: string({ check: checkPulsarTopic, pattern: PULSAR_TOPIC_PATTERN }), required: true },
    actions: { decoder: actions, required: true },
  },
  {
    noun: "a Pulsar topic grant",
    description: "Actions on one topic (persistent://tenant/namespace/topic).",
  },
);

const tenantAdminEntry = object(
  {
    tenantAdmin: {
      decoder: string({ check: checkPulsarTenant, pattern: PULSAR_NAME_PATTERN }),
      required: true,
    },
  },
  { noun: "a Pulsar tenant-admin grant", description: "Admin of a whole tenant." },
);

export const pulsarEntrySchema = variants("a role's `pulsar` entry", [
  { key: "namespace", decoder: namespaceEntry },
  { key: "topic", decoder: topicEntry },
  { key: "tenantAdmin", decoder: tenantAdminEntry },
]);

export const pulsarSettingsSchema = object(
  {
    principal: { decoder: principalSetting },
    manage: {
      decoder: object(
        {
          tenants: {
            decoder: list(string({ check: checkPulsarTenant, pattern: PULSAR_NAME_PATTERN }), {
              description: "Every namespace of these tenants is managed.",
            }),
          },
          namespaces: {
            decoder: list(
              located(string({ check: checkPulsarNamespace, pattern: PULSAR_NAMESPACE_PATTERN })),
              {
                description: "Single namespaces (tenant/namespace) managed outside those tenants.",
              },
            ),
          },
        },
        { noun: "`pulsar.manage`", description: "What apply may touch on Pulsar; nothing outside it." },
      ),
    },
    protectedPrincipals: { decoder: protectedPrincipalsSetting },
    unloadOnRevoke: {
      decoder: boolean("Unload a deprovisioned person's namespaces after revocation. Default true."),
    },
    prune: {
      decoder: boolean("Revoke roles the policy does not know inside managed namespaces. Default false."),
    },
  },
  { noun: "settings `pulsar`", description: "How people become Pulsar roles, and what is managed." },
);

export type PulsarEntryInput = DecoderOutput<typeof pulsarEntrySchema>;
export type PulsarSettingsInput = DecoderOutput<typeof pulsarSettingsSchema>;
