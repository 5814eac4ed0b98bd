import { decode, encodeAuthorizationResponse, encodeUser } from "@nats-io/jwt";
import { createAccount, createServer, createUser } from "@nats-io/nkeys";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createFastKeyPair } from "../../../src/targets/nats/callout/ed25519-key-pair.js";
import { encodeAuthorizationResponseJwt, encodeUserJwt } from "../../../src/targets/nats/callout/nats-jwt.js";

const issuer = createFastKeyPair(new TextDecoder().decode(createAccount().getSeed()));
const userKey = createUser().getPublicKey();
const serverId = createServer().getPublicKey();
const permissions = {
  pub: { allow: ["app.>"], deny: [] },
  sub: { allow: ["app.>", "_INBOX.>"], deny: ["app.secret.>"] },
};

/** The claims as jwt.js decodes them (verifying the signature), without the two that differ per call. */
function claimsOf(jwt: string): Record<string, unknown> {
  const { iat, jti, ...rest } = decode<unknown>(jwt) as unknown as Record<string, unknown>;
  expect(typeof iat).toBe("number");
  expect(typeof jti).toBe("string");
  return rest;
}

describe("the callout's JWTs", () => {
  it("write the user JWT jwt.js writes: same header, claims in the same order, a signature it verifies", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const ours = encodeUserJwt({
      name: "alice",
      userKey,
      account: "APP",
      permissions,
      expiresAt: exp,
      issuer,
    });
    const theirs = await encodeUser("alice", userKey, issuer, permissions, { aud: "APP", exp });
    expect(ours.split(".")[0]).toBe(theirs.split(".")[0]);
    expect(claimsOf(ours)).toEqual(claimsOf(theirs));
    expect(Object.keys(claimsOf(ours))).toEqual(Object.keys(claimsOf(theirs)));
  });

  it("write the authorization response jwt.js writes, for an answer and for a refusal", async () => {
    for (const data of [{ jwt: "eyJ.user.jwt" }, { error: "alice holds no NATS grants" }]) {
      const ours = encodeAuthorizationResponseJwt({ userKey, serverId, issuer, data });
      const theirs = await encodeAuthorizationResponse(userKey, serverId, issuer, data, {});
      expect(claimsOf(ours)).toEqual(claimsOf(theirs));
      expect(Object.keys(claimsOf(ours))).toEqual(Object.keys(claimsOf(theirs)));
    }
  });

  it("name the claims' SHA-512 as the id, as jwt.js does", () => {
    const jwt = encodeAuthorizationResponseJwt({ userKey, serverId, issuer, data: { jwt: "x" } });
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      jti: string;
    };
    const { jti, ...rest } = claims;
    expect(jti).toBe(createHash("sha512").update(JSON.stringify(rest)).digest("base64"));
  });

  it("refuse keys that are not nkeys of the kind named, instead of signing them", () => {
    expect(() =>
      encodeAuthorizationResponseJwt({ userKey: serverId, serverId, issuer, data: { jwt: "x" } }),
    ).toThrow(/not a public user nkey/);
    expect(() =>
      encodeUserJwt({ name: "a", userKey: "Ujunk", account: "APP", permissions, expiresAt: 1, issuer }),
    ).toThrow(/not a public user nkey/);
  });
});
