import type {
  EmergencyMerge,
  EmergencyTrigger,
  NatsSettings,
  PulsarSettings,
  RevocationLimit,
  Settings,
  SourceLocation,
} from "../model/model.js";
import type { DecoderOutput } from "../schema/decoder.js";
import type { natsSettingsSchema, pulsarSettingsSchema, settingsSchema } from "../schema/settings.js";

/** DESIGN §3 defaults, applied wherever settings.yaml leaves a value out. */
export const DEFAULT_PRINCIPAL = "{userName}";
export const DEFAULT_BUCKET = "scim-gitops-access";
export const DEFAULT_GUARDS = { maxRevocations: { percent: 25 }, minRevocations: 5 } as const;
export const DEFAULT_EMERGENCY = { triggers: ["deactivated", "deleted"], merge: "direct" } as const;

type SettingsInput = DecoderOutput<typeof settingsSchema>;

export function normalizeSettings(input: SettingsInput | undefined, at: SourceLocation): Settings {
  const pulsar = input?.pulsar === undefined ? undefined : normalizePulsar(input.pulsar);
  const nats = input?.nats === undefined ? undefined : normalizeNats(input.nats);
  return {
    version: 1,
    ...(pulsar === undefined ? {} : { pulsar }),
    ...(nats === undefined ? {} : { nats }),
    guards: {
      maxRevocations: toLimit(input?.guards?.maxRevocations),
      minRevocations: input?.guards?.minRevocations ?? DEFAULT_GUARDS.minRevocations,
    },
    emergency: {
      triggers: (input?.emergency?.triggers as EmergencyTrigger[] | undefined) ?? [
        ...DEFAULT_EMERGENCY.triggers,
      ],
      merge: (input?.emergency?.merge as EmergencyMerge | undefined) ?? DEFAULT_EMERGENCY.merge,
    },
    at,
  };
}

function normalizePulsar(input: DecoderOutput<typeof pulsarSettingsSchema>): PulsarSettings {
  return {
    principal: input.principal ?? DEFAULT_PRINCIPAL,
    manage: {
      tenants: input.manage?.tenants ?? [],
      namespaces: (input.manage?.namespaces ?? []).map((namespace) => namespace.value),
    },
    protectedPrincipals: input.protectedPrincipals ?? [],
    unloadOnRevoke: input.unloadOnRevoke ?? true,
    prune: input.prune ?? false,
  };
}

function normalizeNats(input: DecoderOutput<typeof natsSettingsSchema>): NatsSettings {
  return {
    principal: input.principal ?? DEFAULT_PRINCIPAL,
    manage: { accounts: input.manage?.accounts ?? [] },
    protectedPrincipals: input.protectedPrincipals ?? [],
    bucket: input.bucket ?? DEFAULT_BUCKET,
  };
}

function toLimit(value: string | number | undefined): RevocationLimit {
  if (value === undefined) return { ...DEFAULT_GUARDS.maxRevocations };
  if (typeof value === "number") return { count: value };
  return { percent: Number.parseFloat(value) };
}
