import { Secret } from "../../../src/secret.js";
import { PulsarAdminClient } from "../../../src/targets/pulsar/admin-client.js";
import { startFakePulsarAdmin, type FakePulsarAdmin } from "../../fakes/pulsar-admin/server.js";

export const SUPER_TOKEN = "eyJhbGciOiJIUzI1NiJ9.super-user-token.s3cr3t";
export const TENANT_ADMIN_TOKEN = "eyJhbGciOiJIUzI1NiJ9.tenant-admin-token.s3cr3t";

export function startFake(): Promise<FakePulsarAdmin> {
  return startFakePulsarAdmin({
    tokens: { [SUPER_TOKEN]: "admin", [TENANT_ADMIN_TOKEN]: "acme-ops" },
    superUserRoles: ["admin"],
  });
}

export function clientFor(
  fake: FakePulsarAdmin,
  token = SUPER_TOKEN,
  conflictAttempts = 4,
): PulsarAdminClient {
  return new PulsarAdminClient({
    adminUrl: fake.url,
    token: new Secret(token),
    conflictAttempts,
    conflictBackoffMs: 5,
  });
}

/** A small cluster: tenant acme (two namespaces) and a single managed namespace shared/events. */
export function seedCluster(fake: FakePulsarAdmin): void {
  fake.state
    .addTenant("acme", ["admin", "acme-ops"])
    .addNamespace("acme/payments")
    .addNamespace("acme/orders")
    .addNamespace("shared/events")
    .addNamespace("other/untouched")
    .grantNamespace("acme/payments", "bob", ["produce", "consume"])
    .grantNamespace("acme/payments", "dave", ["consume"])
    .grantNamespace("acme/payments", "app-billing", ["produce"])
    .grantTopic("persistent://acme/orders/audit", "dave", ["consume"])
    .grantNamespace("other/untouched", "dave", ["consume"]);
}
