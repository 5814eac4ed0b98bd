import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { loadConfig } from "../../src/config.js";
import { runCaptured } from "../../src/cli/run-captured.js";
import type { AnyTarget } from "../../src/targets/target.js";
import type { FakePulsarAdmin } from "../fakes/pulsar-admin/server.js";
import { SUPER_TOKEN, startFake } from "../targets/pulsar/fixture.js";

/** A policy directory in DESIGN §3's format, small enough to read in a test. */
export const POLICY_FILES: Record<string, string> = {
  "settings.yaml": `version: 1
pulsar:
  principal: "{userName}"
  manage:
    tenants: [acme]
    namespaces: [shared/events]
  protectedPrincipals: [admin]
  unloadOnRevoke: true
  prune: false
guards:
  maxRevocations: 25%
  minRevocations: 2
emergency:
  triggers: [deactivated, deleted]
  merge: direct
`,
  "access/payments.yaml": `roles:
  payments-writer:
    description: Produce and consume payment events
    pulsar:
      - namespace: acme/payments
        actions: [produce, consume]
      - topic: persistent://acme/orders/audit
        actions: [consume]
  events-reader:
    pulsar:
      - namespace: shared/events
        actions: [consume]
bindings:
  - group: payments-engineers
    roles: [payments-writer]
  - user: carol@example.com
    roles: [events-reader]
`,
  "identities/groups/payments-engineers.yaml": `id: g-payments
externalId: okta-g-payments
displayName: payments-engineers
members:
  - alice@example.com
  - bob@example.com
`,
  ...user("alice", true),
  ...user("bob", true),
  ...user("carol", true),
  ...user("dave", false),
};

function user(name: string, active: boolean): Record<string, string> {
  return {
    [`identities/users/${name}-example-com.yaml`]: `id: u-${name}
externalId: okta-${name}
userName: ${name}@example.com
displayName: ${name[0]?.toUpperCase()}${name.slice(1)}
active: ${active}
emails:
  - ${name}@example.com
`,
  };
}

export async function writePolicy(files: Record<string, string> = POLICY_FILES): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "scim-gitops-plan-"));
  await writeAll(join(root, "policies"), files);
  return root;
}

export async function writeAll(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** The cluster before apply: bob over-granted, dave (deactivated) still holding access, an unmanaged app. */
export function seedForPolicy(fake: FakePulsarAdmin): void {
  fake.state
    .addTenant("acme", ["admin"])
    .addNamespace("acme/payments")
    .addNamespace("acme/orders")
    .addNamespace("shared/events")
    .grantNamespace("acme/payments", "bob@example.com", ["produce", "consume", "functions"])
    .grantNamespace("acme/payments", "dave@example.com", ["consume"])
    .grantNamespace("acme/payments", "app-billing", ["produce"])
    .grantNamespace("shared/events", "admin", ["produce", "consume"]);
}

export interface SeededWorld {
  readonly fake: FakePulsarAdmin;
  /** The working directory: it holds POLICY_FILES under policies/. */
  readonly root: string;
  /** scim-gitops in the root, against the fake. */
  run(argv: string[]): Promise<CliRun>;
}

/** For every test of a file: a fake Pulsar as seedForPolicy leaves it and a fresh copy of the policy. */
export function useSeededWorld(): SeededWorld {
  let fake: FakePulsarAdmin | undefined;
  let root: string | undefined;
  beforeEach(async () => {
    fake = await startFake();
    seedForPolicy(fake);
    root = await writePolicy();
  });
  afterEach(async () => {
    await fake?.close();
    if (root !== undefined) await removeDir(root);
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the seeded world starts in beforeEach: use it inside a test");
    return value;
  };
  return {
    get fake() {
      return started(fake);
    },
    get root() {
      return started(root);
    },
    run(argv) {
      return runCli(argv, { cwd: started(root), fake: started(fake) });
    },
  };
}

/** The clock every CLI test runs at. */
export const CLI_NOW = new Date("2026-11-29T02:00:00Z");

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(
  argv: string[],
  options: {
    cwd: string;
    env?: Record<string, string>;
    fake?: FakePulsarAdmin;
    /** The registry the commands see (default the real `TARGETS`). */
    targets?: readonly AnyTarget[];
  },
): Promise<CliRun> {
  const env =
    options.env ??
    (options.fake === undefined ? {} : { PULSAR_ADMIN_URL: options.fake.url, PULSAR_TOKEN: SUPER_TOKEN });
  const result = await runCaptured(argv, {
    cwd: options.cwd,
    config: loadConfig(env),
    now: () => CLI_NOW,
    ...(options.targets === undefined ? {} : { targets: options.targets }),
  });
  // Every run doubles as a leak check: no output may show a credential.
  for (const secret of [SUPER_TOKEN, ...Object.values(env).filter((value) => value.includes("token"))]) {
    if (result.stdout.includes(secret) || result.stderr.includes(secret)) {
      throw new Error(`a token appeared in the output of scim-gitops ${argv.join(" ")}`);
    }
  }
  return result;
}
