import type { Target } from "../target.js";
import { pulsarPolicy } from "./policy/pulsar-policy.js";
import { PulsarAdminClient } from "./admin-client.js";
import type { PulsarActual } from "./actual-state.js";
import { applyPulsarPlan } from "./apply-pulsar.js";
import { planPulsar } from "./plan-pulsar.js";
import { readPulsarActual } from "./read-actual.js";

/** Pulsar namespaces, topics and tenant admins over the admin REST API (DESIGN §6, Pulsar). */
export const pulsarTarget: Target<PulsarAdminClient, PulsarActual> = {
  name: pulsarPolicy.name,
  policy: pulsarPolicy,
  connectionHint: "set PULSAR_ADMIN_URL and PULSAR_TOKEN (or PULSAR_TOKEN_FILE) to a superuser token",
  connect(config) {
    const pulsar = config.pulsar();
    return pulsar === undefined
      ? undefined
      : new PulsarAdminClient({ adminUrl: pulsar.adminUrl, token: pulsar.token });
  },
  isManaged(settings) {
    const manage = pulsarPolicy.settingsOf(settings)?.manage;
    return manage !== undefined && manage.tenants.length + manage.namespaces.length > 0;
  },
  readActual(client, settings, scope) {
    const pulsar = pulsarPolicy.settingsOf(settings);
    if (pulsar === undefined) return Promise.resolve({ namespaces: {}, tenants: {}, missing: [] });
    return readPulsarActual(client, pulsar, scope);
  },
  plan: planPulsar,
  apply(client, plan) {
    return applyPulsarPlan(client, plan);
  },
};
