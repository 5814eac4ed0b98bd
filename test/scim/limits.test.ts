/** Auth, size, rate and failure limits: every refusal is a SCIM error body, never HTML (401/413/429/400/500). */
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LedgerIoError } from "../../src/ledger/errors.js";
import { openLedger } from "../../src/ledger/journal-ledger.js";
import type { IdentityLedger } from "../../src/ledger/ledger.js";
import { Secret } from "../../src/secret.js";
import { ERROR_URN, TOKEN, oktaUser, startScim, type TestScim } from "./support/scim-server.js";

let scim: TestScim | undefined;
afterEach(async () => {
  await scim?.close();
  scim = undefined;
});

function expectScimError(
  reply: { status: number; headers: Headers; body: Record<string, unknown> },
  status: number,
): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toContain("application/scim+json");
  expect(reply.body).toMatchObject({
    schemas: [ERROR_URN],
    status: String(status),
    detail: expect.any(String),
  });
}

/** Sends `total` bytes in 64 KiB chunks and resolves with the status the server answered. */
function sendLarge(url: string, total: number, declareLength: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        "Content-Type": "application/scim+json",
        ...(declareLength ? { "Content-Length": String(total) } : {}),
      },
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

describe("authentication", () => {
  it("401 with WWW-Authenticate: Bearer and a SCIM body for missing, wrong and non-bearer tokens", async () => {
    scim = await startScim();
    for (const authorization of [
      "",
      "Bearer wrong-token",
      "non-token",
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
    ]) {
      const reply = await scim.call("GET", "/Users", undefined, { Authorization: authorization });
      expectScimError(reply, 401);
      expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(reply.text).not.toContain(TOKEN);
    }
    expectScimError(await scim.call("GET", "/ServiceProviderConfig", undefined, { Authorization: "" }), 401);
  });

  it("accepts every configured token during a rotation, and follows the token source as it changes", async () => {
    let tokens = [new Secret("old-token-aaaaaaaa"), new Secret("new-token-bbbbbbbb")];
    scim = await startScim({ tokens: () => tokens });
    for (const token of ["old-token-aaaaaaaa", "new-token-bbbbbbbb"]) {
      expect((await scim.call("GET", "/Users", undefined, { Authorization: `Bearer ${token}` })).status).toBe(
        200,
      );
    }
    tokens = [new Secret("new-token-bbbbbbbb")];
    expect(
      (await scim.call("GET", "/Users", undefined, { Authorization: "Bearer old-token-aaaaaaaa" })).status,
    ).toBe(401);
  });
});

describe("request bodies", () => {
  it("malformed JSON is 400 invalidSyntax as application/scim+json", async () => {
    scim = await startScim();
    const reply = await scim.call("POST", "/Users", '{"userName": "broken"');
    expectScimError(reply, 400);
    expect(reply.body.scimType).toBe("invalidSyntax");
    expectScimError(
      await scim.call("POST", "/Users", { schemas: [], name: { givenName: "no userName" } }),
      400,
    );
    expectScimError(await scim.call("POST", "/Groups", { schemas: [], members: [] }), 400);
    const leaky = await scim.call("POST", "/Users", '{"userName": "a", "password": "hunter2-secret",');
    expect(leaky.text).not.toContain("hunter2");
  });

  it("a PUT that breaks the schema is 400 and changes nothing", async () => {
    scim = await startScim();
    const created = await scim.call("POST", "/Users", oktaUser("schema.check@example.com"));
    const reply = await scim.call("PUT", `/Users/${created.body.id}`, {
      ...oktaUser("schema.check@example.com"),
      active: "maybe",
    });
    expectScimError(reply, 400);
    expect(reply.body.scimType).toBe("invalidValue");
    expect((await scim.call("GET", `/Users/${created.body.id}`)).body.active).toBe(true);
  });

  it("bodies over 1 MiB get 413, whether declared by Content-Length or streamed chunked", async () => {
    scim = await startScim();
    expect(await sendLarge(`${scim.root}/Users`, 2 * 1024 * 1024, true)).toBe(413);
    expect(await sendLarge(`${scim.root}/Users`, 3 * 1024 * 1024, false)).toBe(413);
    expect(scim.ledger.list("User")).toHaveLength(0);
    expect((await scim.call("POST", "/Users", oktaUser("after.large@example.com"))).status).toBe(201);
  });
});

describe("overload", () => {
  it("past the burst, requests get 429 with Retry-After and a SCIM body, before auth", async () => {
    scim = await startScim({ rateLimit: { perSecond: 1, burst: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await scim.call("GET", "/Users", undefined, { Authorization: "" })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const reply = await scim.call("GET", "/Users");
    expectScimError(reply, 429);
    expect(Number(reply.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});

describe("failures", () => {
  it("a ledger that cannot write gives 500 with a SCIM body (not scimmy's 404), and reads go on", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scim-broken-"));
    const real = await openLedger({ dir });
    const broken: IdentityLedger = {
      get: (type, id) => real.get(type, id),
      list: (type) => real.list(type),
      findByName: (type, name) => real.findByName(type, name),
      update: () =>
        Promise.reject(new LedgerIoError("ENOSPC: no space left on device, write '/data/journal'")),
      subscribe: (listener) => real.subscribe(listener),
      get lastSeq() {
        return real.lastSeq;
      },
      close: async () => {
        await real.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
    const errors: unknown[] = [];
    scim = await startScim({ ledger: broken, onError: (error) => errors.push(error) });
    const reply = await scim.call("POST", "/Users", oktaUser("disk.full@example.com"));
    expectScimError(reply, 500);
    expect(reply.text).not.toContain("/data/journal");
    expect(errors).toHaveLength(1);
    expect((await scim.call("GET", "/Users")).status).toBe(200);
  });

  it("an unexpected exception anywhere in the handler is a 500 SCIM error, never HTML or a stack", async () => {
    const errors: unknown[] = [];
    scim = await startScim({
      baseUrl: () => {
        throw new TypeError("proxy header parser blew up at /srv/app/proxy.ts:12");
      },
      onError: (error) => errors.push(error),
    });
    const reply = await scim.call("GET", "/Users");
    expectScimError(reply, 500);
    expect(reply.text).not.toContain("proxy.ts");
    expect(errors).toHaveLength(1);
  });

  it("counts every answered request for metrics and leaves other paths to the host server", async () => {
    scim = await startScim();
    await scim.call("GET", "/Users");
    await scim.call("GET", "/Users/missing");
    expect(scim.requests).toEqual([
      { status: 200, method: "GET" },
      { status: 404, method: "GET" },
    ]);
    const other = await fetch(scim.root.replace("/scim/v2", "/healthz"));
    expect(await other.text()).toBe("not scim");
  });
});
