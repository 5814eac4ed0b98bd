/**
 * Pulsar's own naming rule for tenants and namespaces (`NamedEntity`: letters, digits and `-=:._`). Each check
 * returns what is wrong and what to write instead, or undefined when the name is valid.
 */
const NAMED_ENTITY = /^[-=:.\w]+$/;
const TOPIC = /^(persistent|non-persistent):\/\/([^/]*)\/([^/]*)\/(.*)$/;

export const PULSAR_NAME_PATTERN = "^[-=:.\\w]+$";
export const PULSAR_NAMESPACE_PATTERN = "^[-=:.\\w]+/[-=:.\\w]+$";
export const PULSAR_TOPIC_PATTERN = "^(persistent|non-persistent)://[-=:.\\w]+/[-=:.\\w]+/[^/\\s]+$";

export function checkPulsarTenant(name: string): string | undefined {
  if (NAMED_ENTITY.test(name)) return undefined;
  return `${JSON.stringify(name)} is not a valid Pulsar tenant name; use only letters, digits and - = : . _`;
}

export function checkPulsarNamespace(name: string): string | undefined {
  const parts = name.split("/");
  if (parts.length !== 2) {
    return parts.length === 3
      ? `${JSON.stringify(name)} looks like a topic or a v1 namespace; write a namespace as tenant/namespace`
      : `${JSON.stringify(name)} is not a Pulsar namespace; write it as tenant/namespace, e.g. acme/payments`;
  }
  if (parts.every((part) => NAMED_ENTITY.test(part))) return undefined;
  return `${JSON.stringify(name)} is not a valid Pulsar namespace; tenant and namespace use only letters, digits and - = : . _`;
}

export function checkPulsarTopic(name: string): string | undefined {
  const match = TOPIC.exec(name);
  if (match === null) {
    const suggestion = name.split("/").length === 3 ? `, e.g. persistent://${name}` : "";
    return `${JSON.stringify(name)} is not a Pulsar topic name; write persistent://tenant/namespace/topic or non-persistent://tenant/namespace/topic${suggestion}`;
  }
  const [, , tenant = "", namespace = "", local = ""] = match;
  if (!NAMED_ENTITY.test(tenant) || !NAMED_ENTITY.test(namespace)) {
    return `${JSON.stringify(name)} has an invalid tenant or namespace; use only letters, digits and - = : . _ in them`;
  }
  if (local === "" || /[\s/]/.test(local)) {
    return `${JSON.stringify(name)} has an invalid topic part; it must be non-empty, without spaces or /`;
  }
  return undefined;
}

/** `persistent://acme/payments/ledger` → `acme/payments`. */
export function topicNamespace(topic: string): string | undefined {
  const match = TOPIC.exec(topic);
  return match === null ? undefined : `${match[2]}/${match[3]}`;
}
