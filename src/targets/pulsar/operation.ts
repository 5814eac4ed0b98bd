import type { Json } from "../../plan/plan.js";
import { topicNamespace } from "./policy/pulsar-scope.js";

/**
 * What `apply` does for one planned change, stored in the plan's `operation` field. A grant sends the
 * whole action set because a grant replaces the role's set at that level (reference §2.7.2).
 */
export type PulsarOperation =
  | {
      readonly op: "set-namespace-permission";
      readonly namespace: string;
      readonly role: string;
      readonly actions: readonly string[];
    }
  | {
      readonly op: "revoke-namespace-permission";
      readonly namespace: string;
      readonly role: string;
      readonly unload: readonly string[];
    }
  | {
      readonly op: "set-topic-permission";
      readonly topic: string;
      readonly role: string;
      readonly actions: readonly string[];
    }
  | {
      readonly op: "revoke-topic-permission";
      readonly topic: string;
      readonly role: string;
      readonly unload: readonly string[];
    }
  | { readonly op: "add-tenant-admin"; readonly tenant: string; readonly role: string }
  | {
      readonly op: "remove-tenant-admin";
      readonly tenant: string;
      readonly role: string;
      readonly unload: readonly string[];
    };

export class PulsarOperationError extends Error {
  override name = "PulsarOperationError";
}

/** Writes to one namespace's policies (or one tenant) go one at a time: brokers answer 409 otherwise. */
export function serialisationKey(operation: PulsarOperation): string {
  switch (operation.op) {
    case "set-namespace-permission":
    case "revoke-namespace-permission":
      return operation.namespace;
    case "set-topic-permission":
    case "revoke-topic-permission":
      return topicNamespace(operation.topic) ?? operation.topic;
    case "add-tenant-admin":
    case "remove-tenant-admin":
      return `tenant:${operation.tenant}`;
  }
}

/** A saved plan is a file a person could edit: check the shape before acting on it. */
export function decodeOperation(value: Json): PulsarOperation {
  const record =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, Json>)
      : {};
  const text = (field: string): string => {
    const found = record[field];
    if (typeof found !== "string" || found === "") {
      throw new PulsarOperationError(
        `the plan's Pulsar operation lacks "${field}": make the plan again with scim-gitops plan --out`,
      );
    }
    return found;
  };
  const list = (field: string): string[] => {
    const found = record[field];
    if (!Array.isArray(found) || !found.every((item) => typeof item === "string")) {
      throw new PulsarOperationError(
        `the plan's Pulsar operation lacks the list "${field}": make the plan again with scim-gitops plan --out`,
      );
    }
    return found;
  };
  const op = text("op");
  switch (op) {
    case "set-namespace-permission":
      return { op, namespace: text("namespace"), role: text("role"), actions: list("actions") };
    case "revoke-namespace-permission":
      return { op, namespace: text("namespace"), role: text("role"), unload: list("unload") };
    case "set-topic-permission":
      return { op, topic: text("topic"), role: text("role"), actions: list("actions") };
    case "revoke-topic-permission":
      return { op, topic: text("topic"), role: text("role"), unload: list("unload") };
    case "add-tenant-admin":
      return { op, tenant: text("tenant"), role: text("role") };
    case "remove-tenant-admin":
      return { op, tenant: text("tenant"), role: text("role"), unload: list("unload") };
    default:
      throw new PulsarOperationError(
        `the plan holds an unknown Pulsar operation "${op}": make the plan again with this version`,
      );
  }
}
