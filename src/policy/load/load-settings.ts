import type {
  EmergencyMerge,
  EmergencyTrigger,
  RevocationLimit,
  Settings,
  SourceLocation,
} from "../model/model.js";
import type { SettingsInput } from "../schema/settings.js";
import type { AnyTargetPolicy, TargetSettings } from "../targets/target-policy.js";

/** DESIGN §3 defaults, applied wherever settings.yaml leaves a value out. */
export const DEFAULT_PRINCIPAL = "{userName}";
export const DEFAULT_GUARDS = { maxRevocations: { percent: 25 }, minRevocations: 5 } as const;
export const DEFAULT_EMERGENCY = {
  triggers: ["deactivated", "deleted"],
  merge: "direct",
  expiry: false,
} as const;
export const DEFAULT_EXPIRY = { warnWithinDays: 14 } as const;

export function normalizeSettings(
  input: SettingsInput | undefined,
  at: SourceLocation,
  targets: readonly AnyTargetPolicy[],
): Settings {
  const sections = new Map<string, TargetSettings>();
  for (const target of targets) {
    const section = input?.[target.name];
    if (section !== undefined) sections.set(target.name, target.normalizeSettings(section) as TargetSettings);
  }
  return {
    version: 1,
    targets: sections,
    guards: {
      maxRevocations: toLimit(input?.guards?.maxRevocations),
      minRevocations: input?.guards?.minRevocations ?? DEFAULT_GUARDS.minRevocations,
    },
    emergency: {
      triggers: (input?.emergency?.triggers as EmergencyTrigger[] | undefined) ?? [
        ...DEFAULT_EMERGENCY.triggers,
      ],
      merge: (input?.emergency?.merge as EmergencyMerge | undefined) ?? DEFAULT_EMERGENCY.merge,
      expiry: input?.emergency?.expiry ?? DEFAULT_EMERGENCY.expiry,
    },
    expiry: { warnWithinDays: input?.expiry?.warnWithinDays ?? DEFAULT_EXPIRY.warnWithinDays },
    at,
  };
}

function toLimit(value: string | number | undefined): RevocationLimit {
  if (value === undefined) return { ...DEFAULT_GUARDS.maxRevocations };
  if (typeof value === "number") return { count: value };
  return { percent: Number.parseFloat(value) };
}
