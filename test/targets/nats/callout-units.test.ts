import { decode, encodeUser } from "@nats-io/jwt";
import { createAccount, createServer, createUser, fromPublic } from "@nats-io/nkeys";
import { describe, expect, it } from "vitest";
import { createFastKeyPair } from "../../../src/targets/nats/callout/ed25519-key-pair.js";
import { decodeAuthorizationRequest } from "../../../src/targets/nats/callout/decode-request.js";
import { parseDuration } from "../../../src/targets/nats/callout/run-nats-auth.js";
import { decideAccess, toJwtPermissions } from "../../../src/targets/nats/callout/user-permissions.js";
import { coversSubject, type AccountPermissions, type NatsEntry } from "../../../src/targets/nats/entry.js";

const APP: AccountPermissions = {
  publish: { allow: ["app.>"], deny: [] },
  subscribe: { allow: ["app.>"], deny: [] },
};
const READ_ONLY: AccountPermissions = {
  publish: { allow: [], deny: [] },
  subscribe: { allow: ["pay.>"], deny: [] },
};
const entry = (accounts: Record<string, AccountPermissions>, disabled = false): NatsEntry => ({
  v: 1,
  principal: "alice",
  accounts,
  ...(disabled ? { disabled } : {}),
  changedBy: "x",
});

describe("the node:crypto key pair", () => {
  it("signs what the stock nkeys pair verifies, and jwt.js accepts it", async () => {
    const account = createAccount();
    const seed = new TextDecoder().decode(account.getSeed());
    const fast = createFastKeyPair(seed);
    expect(fast.getPublicKey()).toBe(account.getPublicKey());
    const data = new TextEncoder().encode("payload");
    expect(fromPublic(account.getPublicKey()).verify(data, fast.sign(data))).toBe(true);
    expect(fast.sign(data)).toEqual(account.sign(data));
    const jwt = await encodeUser("alice", createUser(), fast, {}, { aud: "APP" });
    expect(decode(jwt).iss).toBe(account.getPublicKey());
  });
});

describe("decodeAuthorizationRequest", () => {
  it("accepts a request signed by the server it names and refuses any other", async () => {
    const server = createServer();
    const other = createServer();
    const sign = (signer: typeof server, id: string) =>
      Promise.resolve().then(() => {
        const header = Buffer.from(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" })).toString("base64url");
        const body = Buffer.from(
          JSON.stringify({ iss: signer.getPublicKey(), nats: { server_id: { id }, user_nkey: "UABC" } }),
        ).toString("base64url");
        const signature = Buffer.from(signer.sign(new TextEncoder().encode(`${header}.${body}`))).toString(
          "base64url",
        );
        return `${header}.${body}.${signature}`;
      });
    expect(decodeAuthorizationRequest(await sign(server, server.getPublicKey())).user_nkey).toBe("UABC");
    await expect(sign(other, server.getPublicKey()).then(decodeAuthorizationRequest)).rejects.toThrow(
      /not signed by/,
    );
    const forged = (await sign(server, server.getPublicKey())).replace(/\.[^.]+$/, ".AAAA");
    expect(() => decodeAuthorizationRequest(forged)).toThrow(/does not verify/);
  });
});

describe("decideAccess", () => {
  it("lands a person in their only account, or the one they name", () => {
    expect(decideAccess("alice", entry({ APP }), undefined)).toMatchObject({ ok: true, account: "APP" });
    expect(decideAccess("alice", entry({ APP, PAY: READ_ONLY }), "PAY")).toMatchObject({
      ok: true,
      account: "PAY",
    });
  });

  it("refuses unknown, disabled, grant-less, ambiguous and foreign accounts with a reason", () => {
    const refusal = (...args: Parameters<typeof decideAccess>) => {
      const decision = decideAccess(...args);
      return decision.ok ? "accepted" : decision.error;
    };
    expect(refusal("bob", undefined, undefined)).toMatch(/bob holds no NATS access/);
    expect(refusal("alice", entry({ APP }, true), undefined)).toMatch(/disabled/);
    expect(
      refusal("alice", entry({ APP: { ...READ_ONLY, subscribe: { allow: [], deny: [] } } }), undefined),
    ).toMatch(/no NATS grants/);
    expect(refusal("alice", entry({ APP, PAY: READ_ONLY }), undefined)).toMatch(
      /several accounts \(APP, PAY\)/,
    );
    expect(refusal("alice", entry({ APP, PAY: READ_ONLY }), "alice")).toMatch(
      /several accounts \(APP, PAY\), and the user name names none of them: pass one of them/,
    );
    expect(refusal("alice", entry({ APP, PAY: READ_ONLY }), "alice")).not.toContain("alice,");
  });

  it("takes a user name that names none of the person's accounts as no choice", () => {
    for (const requested of ["alice", "oidc", "SYS", "PAY"]) {
      expect(decideAccess("alice", entry({ APP }), requested), requested).toMatchObject({
        ok: true,
        account: "APP",
      });
    }
    // An account they hold nothing in is none of theirs either.
    const grantless = { ...READ_ONLY, subscribe: { allow: [], deny: [] } };
    expect(decideAccess("alice", entry({ APP, PAY: grantless }), "PAY")).toMatchObject({
      ok: true,
      account: "APP",
    });
  });

  it("denies a direction with no allow list instead of leaving it open", () => {
    expect(toJwtPermissions(READ_ONLY)).toEqual({
      pub: { allow: [], deny: [">"] },
      sub: { allow: ["pay.>"], deny: [] },
    });
  });
});

describe("small parsers", () => {
  it("reads NATS_AUTH_JWT_TTL durations and refuses nonsense", () => {
    expect(parseDuration("1h")).toBe(3600);
    expect(parseDuration("2h30m")).toBe(9000);
    expect(parseDuration("90")).toBe(90);
    expect(() => parseDuration("soon")).toThrow(/NATS_AUTH_JWT_TTL=soon is not a duration/);
  });

  it("knows which subjects a wildcard covers", () => {
    expect(coversSubject("app.>", "app.orders.>")).toBe(true);
    expect(coversSubject("app.*", "app.orders")).toBe(true);
    expect(coversSubject("app.*", "app.>")).toBe(false);
    expect(coversSubject("app.orders.>", "app.>")).toBe(false);
    expect(coversSubject("app.>", "app")).toBe(false);
  });
});
