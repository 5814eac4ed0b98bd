/** Path segments of a topic's permission endpoint: domain, tenant, namespace, local name. */
export function topicSegments(topic: string): string[] {
  const match = /^(persistent|non-persistent):\/\/([^/]+)\/([^/]+)\/(.+)$/.exec(topic);
  if (match === null)
    throw new Error(`${topic} is not a full topic name (persistent://tenant/namespace/topic)`);
  return [match[1] ?? "", match[2] ?? "", match[3] ?? "", match[4] ?? ""];
}
