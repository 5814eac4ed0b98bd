import { PULSAR_ACTIONS } from "../model/model.js";
import {
  PULSAR_NAME_PATTERN,
  PULSAR_NAMESPACE_PATTERN,
  PULSAR_TOPIC_PATTERN,
  checkPulsarNamespace,
  checkPulsarTenant,
  checkPulsarTopic,
} from "./pulsar-names.js";
import { NATS_SUBJECT_PATTERN, checkNatsAccount, checkNatsSubject } from "./nats-names.js";
import { checkDate } from "./setting-values.js";
import { accepting, either, list, located, record, variants } from "./decode-collections.js";
import { object } from "./decode-object.js";
import { string } from "./decode-scalars.js";

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

export const roleSchema = object(
  {
    description: { decoder: string() },
    pulsar: { decoder: list(pulsarEntrySchema) },
    nats: { decoder: list(natsEntrySchema) },
  },
  { noun: "a role", description: "What the role grants on each target." },
);

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

export const accessSchema = object(
  {
    roles: { decoder: record(roleSchema, { keyPattern: ROLE_NAME_PATTERN, checkKey: checkRoleName }) },
    bindings: { decoder: list(bindingSchema) },
  },
  { noun: "an access file", description: "scim-gitops roles and bindings (policy format v1)." },
);
