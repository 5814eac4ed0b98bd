import { defineTargetPolicy } from "../../../policy/targets/target-policy.js";
import { diffPulsarGrants } from "./pulsar-diff.js";
import { compilesPulsarEntry, mergePulsarGrants, pulsarResourceOf } from "./pulsar-grants.js";
import { normalizePulsarEntry, normalizePulsarSettings } from "./pulsar-normalize.js";
import { checkManagedNamespaces, checkPulsarRole, pulsarScopeError } from "./pulsar-rules.js";
import { pulsarEntrySchema, pulsarSettingsSchema } from "./pulsar-schema.js";

/** Pulsar's part of the policy: namespace, topic and tenant-admin grants inside `pulsar.manage`. */
export const pulsarPolicy = defineTargetPolicy({
  name: "pulsar",
  title: "Pulsar",
  settingsSchema: pulsarSettingsSchema,
  normalizeSettings: normalizePulsarSettings,
  checkSettings: checkManagedNamespaces,
  entrySchema: pulsarEntrySchema,
  normalizeEntry: normalizePulsarEntry,
  scopeError: pulsarScopeError,
  checkRole: checkPulsarRole,
  compiles: compilesPulsarEntry,
  resourceOf: pulsarResourceOf,
  mergeGrants: mergePulsarGrants,
  diffGrants: diffPulsarGrants,
  describeGrant: (grant) => [
    grant.resource.kind === "tenant"
      ? `tenant ${grant.resource.name}: tenant admin`
      : `${grant.resource.kind} ${grant.resource.name}: ${grant.actions.join(", ")}`,
  ],
});
