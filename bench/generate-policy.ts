/**
 * A deterministic, realistic policy of any size, in the files a policy directory holds: the bot's identity
 * files, one access file per role, and a settings.yaml managing every generated namespace.
 */
export interface GeneratePolicyOptions {
  readonly users: number;
  readonly groups: number;
  readonly membersPerGroup: number;
  readonly roles: number;
  readonly namespaces: number;
}

const TENANTS = 20;
const ACCOUNTS = ["APP", "PAYMENTS", "SEARCH", "DATA"];
const ACTIONS = [["produce", "consume"], ["consume"], ["produce"], ["consume", "functions"]];

export function generatePolicyFiles(options: GeneratePolicyOptions): Map<string, string> {
  const files = new Map<string, string>();
  files.set("settings.yaml", settingsFile());
  const random = seededRandom(42);
  for (let index = 0; index < options.users; index++) {
    files.set(`identities/users/${userSlug(index)}.yaml`, userFile(index));
  }
  for (let index = 0; index < options.groups; index++) {
    const members = new Set<string>();
    const wanted = Math.min(options.membersPerGroup, options.users);
    while (members.size < wanted) members.add(userName(Math.floor(random() * options.users)));
    files.set(`identities/groups/${groupName(index)}.yaml`, groupFile(index, [...members].sort()));
  }
  const groupsPerRole = Math.ceil(options.groups / Math.max(options.roles, 1));
  const namespacesPerRole = Math.ceil(options.namespaces / Math.max(options.roles, 1));
  for (let index = 0; index < options.roles; index++) {
    const namespaces = Array.from(
      { length: namespacesPerRole },
      (_, offset) => index * namespacesPerRole + offset,
    )
      .filter((namespace) => namespace < options.namespaces)
      .map(namespaceName);
    const groups = Array.from({ length: groupsPerRole }, (_, offset) => index * groupsPerRole + offset)
      .filter((group) => group < options.groups)
      .map(groupName);
    const directUser =
      index % 10 === 0 && options.users > 0 ? userName((index * 7919) % options.users) : undefined;
    files.set(`access/${roleName(index)}.yaml`, accessFile(index, namespaces, groups, directUser));
  }
  return files;
}

function settingsFile(): string {
  const tenants = Array.from({ length: TENANTS }, (_, index) => tenantName(index));
  return [
    "version: 1",
    "pulsar:",
    '  principal: "{userName}"',
    "  manage:",
    `    tenants: [${tenants.join(", ")}]`,
    "    namespaces: [shared/events]",
    "  protectedPrincipals: [admin]",
    "nats:",
    '  principal: "{userName}"',
    "  manage:",
    `    accounts: [${ACCOUNTS.join(", ")}]`,
    "guards:",
    "  maxRevocations: 25%",
    "  minRevocations: 5",
    "",
  ].join("\n");
}

function userFile(index: number): string {
  const name = userName(index);
  return [
    `id: ${uuid(index)}`,
    `externalId: 00u${index.toString(36).padStart(6, "0")}`,
    `userName: ${name}`,
    `displayName: User ${index}`,
    `active: ${index % 50 === 49 ? "false" : "true"}`,
    "emails:",
    `  - ${name}`,
    "",
  ].join("\n");
}

function groupFile(index: number, members: readonly string[]): string {
  return [
    `id: ${uuid(1_000_000 + index)}`,
    `externalId: 00g${index.toString(36).padStart(6, "0")}`,
    `displayName: ${groupName(index)}`,
    "members:",
    ...members.map((member) => `  - ${member}`),
    "",
  ].join("\n");
}

function accessFile(
  index: number,
  namespaces: readonly string[],
  groups: readonly string[],
  directUser?: string,
): string {
  const role = roleName(index);
  const account = ACCOUNTS[index % ACCOUNTS.length] ?? "APP";
  const lines = ["roles:", `  ${role}:`, `    description: Generated role ${index}`, "    pulsar:"];
  namespaces.forEach((namespace, offset) => {
    lines.push(
      `      - namespace: ${namespace}`,
      `        actions: [${(ACTIONS[(index + offset) % ACTIONS.length] ?? []).join(", ")}]`,
    );
  });
  lines.push(`      - topic: persistent://shared/events/audit-${index}`, "        actions: [produce]");
  lines.push(
    "    nats:",
    `      - account: ${account}`,
    `        publish: ["team${index}.>"]`,
    "        subscribe:",
    `          allow: ["team${index}.>", "_INBOX.>"]`,
    `          deny: ["team${index}.secret.>"]`,
    "bindings:",
  );
  for (const group of groups) lines.push(`  - group: ${group}`, `    roles: [${role}]`);
  if (directUser !== undefined)
    lines.push(`  - user: ${directUser}`, `    roles: [${role}]`, "    expires: 2099-12-31");
  lines.push("");
  return lines.join("\n");
}

export function userName(index: number): string {
  return `user${String(index).padStart(5, "0")}@example.com`;
}

function userSlug(index: number): string {
  return userName(index).replace(/[^a-z0-9]+/g, "-");
}

function groupName(index: number): string {
  return `group-${String(index).padStart(4, "0")}`;
}

function roleName(index: number): string {
  return `role-${String(index).padStart(3, "0")}`;
}

function tenantName(index: number): string {
  return `tenant${String(index).padStart(2, "0")}`;
}

function namespaceName(index: number): string {
  return `${tenantName(index % TENANTS)}/ns${String(index).padStart(4, "0")}`;
}

export function uuid(index: number): string {
  const hex = index.toString(16).padStart(12, "0");
  return `2819c223-7f76-453a-919d-${hex}`;
}

/** mulberry32: small, fast, and the same sequence on every machine. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
