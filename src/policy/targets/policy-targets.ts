import { accessSchemaFor, type AccessInput } from "../schema/access.js";
import type { Decoder } from "../schema/decoder.js";
import { settingsSchemaFor, type SettingsInput } from "../schema/settings.js";
import type { AnyTargetPolicy } from "./target-policy.js";

/**
 * The targets a policy is loaded for, with the schemas that follow from them, built once: decoders prepare
 * their shapes up front, so loading thousands of files does no per-file setup.
 */
export interface PolicyTargets {
  /** In the registry's order, which is the order everything renders in. */
  readonly parts: readonly AnyTargetPolicy[];
  readonly settingsSchema: Decoder<SettingsInput>;
  readonly accessSchema: Decoder<AccessInput>;
}

/** A registry whose names clash cannot be loaded: a programming error, found at start-up. */
export class TargetRegistryError extends Error {
  override readonly name = "TargetRegistryError";
}

/** Keys a target's name would shadow in settings.yaml or in a role. */
const RESERVED = new Set(["version", "guards", "emergency", "description"]);

export function definePolicyTargets(parts: readonly AnyTargetPolicy[]): PolicyTargets {
  const seen = new Set<string>();
  for (const part of parts) {
    if (RESERVED.has(part.name) || seen.has(part.name) || !/^[a-z][a-z0-9-]*$/.test(part.name)) {
      throw new TargetRegistryError(
        `target name ${JSON.stringify(part.name)} is reserved, repeated or not lower-case; give the target another name`,
      );
    }
    seen.add(part.name);
  }
  return { parts, settingsSchema: settingsSchemaFor(parts), accessSchema: accessSchemaFor(parts) };
}
