import {
  PULSAR_NAME_PATTERN,
  PULSAR_NAMESPACE_PATTERN,
  checkPulsarNamespace,
  checkPulsarTenant,
} from "./pulsar-names.js";
import { checkKvBucket, checkNatsAccount } from "./nats-names.js";
import { PERCENT_PATTERN, checkPercent, checkPrincipalTemplate } from "./setting-values.js";
import { accepting, either, list, located } from "./decode-collections.js";
import { object } from "./decode-object.js";
import { boolean, integer, string } from "./decode-scalars.js";

const principal = string({
  description:
    'Template over user fields: {userName}, {id}, {externalId}, {emails[0]}. Default "{userName}".',
  check: checkPrincipalTemplate,
});

const protectedPrincipals = list(string(), {
  description:
    "Principals that scim-gitops never grants to and never revokes (break-glass and service accounts).",
});

export const pulsarSettingsSchema = object(
  {
    principal: { decoder: principal },
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
    protectedPrincipals: { decoder: protectedPrincipals },
    unloadOnRevoke: {
      decoder: boolean("Unload a deprovisioned person's namespaces after revocation. Default true."),
    },
    prune: {
      decoder: boolean("Revoke roles the policy does not know inside managed namespaces. Default false."),
    },
  },
  { noun: "settings `pulsar`", description: "How people become Pulsar roles, and what is managed." },
);

export const natsSettingsSchema = object(
  {
    principal: { decoder: principal },
    manage: {
      decoder: object(
        { accounts: { decoder: list(string({ check: checkNatsAccount })) } },
        { noun: "`nats.manage`", description: "The NATS accounts scim-gitops grants in." },
      ),
    },
    protectedPrincipals: { decoder: protectedPrincipals },
    bucket: {
      decoder: string({
        check: checkKvBucket,
        description: 'The KV bucket the callout service reads. Default "scim-gitops-access".',
      }),
    },
  },
  { noun: "settings `nats`", description: "How people become NATS users, and which accounts are managed." },
);

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
  },
  { noun: "settings `emergency`" },
);

export const settingsSchema = object(
  {
    version: { decoder: integer({ const: 1, description: "Policy format version." }), required: true },
    pulsar: { decoder: pulsarSettingsSchema },
    nats: { decoder: natsSettingsSchema },
    guards: { decoder: guardsSchema },
    emergency: { decoder: emergencySchema },
  },
  { noun: "settings.yaml", description: "scim-gitops settings (policy format v1)." },
);
