import type { SourceLocation } from "../../../policy/model/model.js";
import type { Provenance } from "../../../policy/model/effective-access.js";

/** Pulsar's part of the policy model (DESIGN §3): role entries, the settings section, compiled grants. */

export const PULSAR_ACTIONS = ["produce", "consume", "functions", "sources", "sinks", "packages"] as const;
export type PulsarAction = (typeof PULSAR_ACTIONS)[number];

export type PulsarRoleEntry =
  | {
      readonly kind: "namespace";
      readonly namespace: string;
      readonly actions: readonly PulsarAction[];
      readonly at: SourceLocation;
    }
  | {
      readonly kind: "topic";
      readonly topic: string;
      readonly actions: readonly PulsarAction[];
      readonly at: SourceLocation;
    }
  | { readonly kind: "tenantAdmin"; readonly tenant: string; readonly at: SourceLocation };

export interface PulsarSettings {
  /** Template over user fields: `{userName}`, `{id}`, `{externalId}`, `{emails[0]}`. */
  readonly principal: string;
  readonly manage: { readonly tenants: readonly string[]; readonly namespaces: readonly string[] };
  readonly protectedPrincipals: readonly string[];
  readonly unloadOnRevoke: boolean;
  readonly prune: boolean;
}

export type PulsarResource =
  | { readonly kind: "namespace"; readonly name: string }
  | { readonly kind: "topic"; readonly name: string }
  | { readonly kind: "tenant"; readonly name: string };

export interface PulsarGrant {
  readonly resource: PulsarResource;
  /** Sorted, deduplicated; empty for tenant admin. */
  readonly actions: readonly PulsarAction[];
  readonly because: readonly Provenance[];
}
