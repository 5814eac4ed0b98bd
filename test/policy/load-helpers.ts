import { formatDiagnostic, loadPolicy } from "../../src/policy/load/load.js";
import type { LoadResult } from "../../src/policy/load/load.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";

export const NOW = new Date("2026-11-29T02:00:00Z");

/** A small valid policy to break one thing at a time: two users, one group, one role. */
export const BASE: Readonly<Record<string, string>> = {
  "settings.yaml": [
    "version: 1",
    "pulsar:",
    "  manage:",
    "    tenants: [acme]",
    "    namespaces: [shared/events]",
    "  protectedPrincipals: [admin]",
    "nats:",
    "  manage:",
    "    accounts: [APP]",
    "",
  ].join("\n"),
  "access/base.yaml": [
    "roles:",
    "  reader:",
    "    pulsar:",
    "      - namespace: acme/payments",
    "        actions: [consume]",
    "bindings:",
    "  - group: eng",
    "    roles: [reader]",
    "",
  ].join("\n"),
  "identities/users/alice-example-com.yaml":
    "id: u1\nuserName: alice@example.com\nactive: true\nemails:\n  - alice@example.com\n",
  "identities/users/admin.yaml": "id: u0\nuserName: admin\nactive: true\n",
  "identities/groups/eng.yaml": "id: g1\ndisplayName: eng\nmembers:\n  - alice@example.com\n",
};

export function load(
  changes: Readonly<Record<string, string | undefined>> = {},
  now: Date = NOW,
): LoadResult {
  const files = new Map<string, string>();
  for (const [path, text] of Object.entries({ ...BASE, ...changes }))
    if (text !== undefined) files.set(path, text);
  return loadPolicy(files, { dir: "p", now, targets: POLICY_TARGETS });
}

/** Diagnostics as a person reads them. */
export function problems(
  changes: Readonly<Record<string, string | undefined>> = {},
  now: Date = NOW,
): string[] {
  return load(changes, now).diagnostics.map(formatDiagnostic);
}

/** An access file holding one role with the given YAML body (indented under the role name). */
export function roleFile(body: string, bindings = ""): string {
  const indented = body
    .split("\n")
    .map((line) => (line === "" ? line : `    ${line}`))
    .join("\n");
  return `roles:\n  extra:\n${indented}\n${bindings === "" ? "" : `bindings:\n${bindings}\n`}`;
}
