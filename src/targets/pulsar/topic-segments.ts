import { PulsarOperationError } from "./operation.js";

/** Path segments of a topic's permission endpoint: domain, tenant, namespace, local name. */
export function topicSegments(topic: string): string[] {
  const match = /^(persistent|non-persistent):\/\/([^/]+)\/([^/]+)\/(.+)$/.exec(topic);
  if (match === null)
    throw new PulsarOperationError(
      `${topic} is not a full topic name (persistent://tenant/namespace/topic): make the plan again with scim-gitops plan --out`,
    );
  return [match[1] ?? "", match[2] ?? "", match[3] ?? "", match[4] ?? ""];
}
