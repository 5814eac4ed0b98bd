import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PulsarAdminError } from "../../../src/targets/pulsar/admin-errors.js";
import { PulsarAdminClient } from "../../../src/targets/pulsar/admin-client.js";
import { Secret } from "../../../src/secret.js";
import type { FakePulsarAdmin } from "../../fakes/pulsar-admin/server.js";
import { SUPER_TOKEN, TENANT_ADMIN_TOKEN, clientFor, seedCluster, startFake } from "./fixture.js";

let fake: FakePulsarAdmin;
beforeEach(async () => {
  fake = await startFake();
  seedCluster(fake);
});
afterEach(() => fake.close());

async function failure(promise: Promise<unknown>): Promise<PulsarAdminError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PulsarAdminError);
  const text = `${String(error)} ${(error as Error).stack ?? ""} ${JSON.stringify(error)}`;
  expect(text).not.toContain(SUPER_TOKEN);
  expect(text).not.toContain(TENANT_ADMIN_TOKEN);
  return error as PulsarAdminError;
}

describe("Pulsar admin client against the fake", () => {
  it("retries 409 Concurrent modification with backoff and then succeeds", async () => {
    fake.faults.conflictNextWrites(2);
    await clientFor(fake).send("POST", ["namespaces", "acme", "orders", "permissions", "carol"], ["consume"]);
    expect(fake.writes().map((record) => record.status)).toEqual([409, 409, 204]);
    expect(fake.state.snapshot().namespaces["acme/orders"]?.namespace).toEqual({ carol: ["consume"] });
  });

  it("gives up on 409 after its attempts with a message that says to apply again", async () => {
    fake.faults.conflictNextWrites(10);
    const error = await failure(
      clientFor(fake, SUPER_TOKEN, 3).send("DELETE", [
        "namespaces",
        "acme",
        "payments",
        "permissions",
        "bob",
      ]),
    );
    expect(error.status).toBe(409);
    expect(error.message).toContain("Concurrent modification");
    expect(fake.writes()).toHaveLength(3);
  });

  it("follows a 307 to another port by hand, keeping the Authorization header", async () => {
    fake.faults.redirectNext(1);
    await clientFor(fake).send(
      "POST",
      ["persistent", "acme", "orders", "audit", "permissions", "carol"],
      ["consume"],
    );
    expect(fake.log.map((record) => [record.server, record.status, record.authorization])).toEqual([
      ["primary", 307, true],
      ["secondary", 204, true],
    ]);
    expect(fake.state.snapshot().namespaces["acme/orders"]?.topics["persistent://acme/orders/audit"]).toEqual(
      {
        carol: ["consume"],
        dave: ["consume"],
      },
    );
  });

  it("shows why by hand: Node's own redirect following drops the header and the second port refuses", async () => {
    fake.faults.redirectNext(1);
    const response = await fetch(`${fake.url}/admin/v2/namespaces/acme/payments`, {
      headers: { authorization: `Bearer ${SUPER_TOKEN}` },
    });
    expect(response.status).toBe(401);
    expect(fake.log.at(-1)).toMatchObject({ server: "secondary", authorization: false });
  });

  it("reads a text/plain 500 stack trace as an error with its message line", async () => {
    fake.faults.serverErrorNext(1);
    const error = await failure(clientFor(fake).get(["namespaces", "acme", "payments"]));
    expect(error.status).toBe(500);
    expect(error.message).toContain("Message: java.lang.NullPointerException");
    expect(error.message).toContain("check the broker log");
  });

  it("reads the HTML 401 page and says to use a superuser token", async () => {
    fake.faults.htmlUnauthorizedNext(1);
    const error = await failure(clientFor(fake).get(["tenants", "acme"]));
    expect(error.message).toBe(
      "Pulsar answered 401 to GET /admin/v2/tenants/acme: Error 401 Authentication required (insufficient rights: use a superuser token in PULSAR_TOKEN)",
    );
  });

  it("maps a tenant admin's 401 (unload is superuser only) and 403 (other tenant) to insufficient rights", async () => {
    const tenantAdmin = clientFor(fake, TENANT_ADMIN_TOKEN);
    const unload = await failure(tenantAdmin.send("PUT", ["namespaces", "acme", "payments", "unload"]));
    expect(unload.message).toContain("This operation requires super-user access (insufficient rights");
    const other = await failure(
      tenantAdmin.send("POST", ["namespaces", "shared", "events", "permissions", "x"], ["consume"]),
    );
    expect(other.status).toBe(403);
    expect(other.message).toContain("insufficient rights: use a superuser token");
    await tenantAdmin.send("POST", ["namespaces", "acme", "orders", "permissions", "x"], ["consume"]);
  });

  it("encodes each path segment: a role with + and @ arrives intact", async () => {
    await clientFor(fake).send(
      "POST",
      ["namespaces", "acme", "orders", "permissions", "ops+oncall@example.com"],
      ["consume"],
    );
    expect(fake.state.snapshot().namespaces["acme/orders"]?.namespace).toEqual({
      "ops+oncall@example.com": ["consume"],
    });
  });

  it("sends bodies as application/json (the broker answers 415 to anything else)", async () => {
    const raw = await fetch(`${fake.url}/admin/v2/namespaces/acme/orders/permissions/x`, {
      method: "POST",
      headers: { authorization: `Bearer ${SUPER_TOKEN}` },
      body: JSON.stringify(["consume"]),
    });
    expect(raw.status).toBe(415);
    await clientFor(fake).send("POST", ["namespaces", "acme", "orders", "permissions", "x"], ["consume"]);
    expect(fake.writes().at(-1)?.status).toBe(204);
  });

  it("refuses a topic-level revoke of a namespace-level grant with 412, as a broker does", async () => {
    const error = await failure(
      clientFor(fake).send("DELETE", ["persistent", "acme", "payments", "ledger", "permissions", "bob"]),
    );
    expect(error.status).toBe(412);
    expect(error.reason).toBe("Permissions are not set at the topic level");
  });
});

describe("Pulsar admin client redirect safety", () => {
  it("refuses a redirect that would carry the token from https to plain http", async () => {
    const seen: string[] = [];
    const client = new PulsarAdminClient({
      adminUrl: "https://broker.example:8443",
      token: new Secret(SUPER_TOKEN),
      fetch: (input) => {
        seen.push(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
        return Promise.resolve(
          new Response(null, { status: 307, headers: { location: "http://other.example:8080/admin/v2/x" } }),
        );
      },
    });
    const error = await failure(client.send("DELETE", ["namespaces", "acme", "x", "permissions", "bob"]));
    expect(error.message).toContain("redirect from https to http://other.example:8080 refused");
    expect(seen).toEqual(["https://broker.example:8443/admin/v2/namespaces/acme/x/permissions/bob"]);
  });

  it("keeps the token out of the error when a broker echoes the request's Authorization header", async () => {
    const client = new PulsarAdminClient({
      adminUrl: "https://broker.example:8443",
      token: new Secret(SUPER_TOKEN),
      fetch: () =>
        Promise.resolve(
          new Response(`java.lang.IllegalStateException: bad header Authorization: Bearer ${SUPER_TOKEN}`, {
            status: 500,
            headers: { "content-type": "text/plain" },
          }),
        ),
    });
    const error = await failure(client.send("DELETE", ["namespaces", "acme", "x", "permissions", "bob"]));
    expect(error.status).toBe(500);
    expect(error.reason).toContain("Bearer [redacted]");
  });
});
