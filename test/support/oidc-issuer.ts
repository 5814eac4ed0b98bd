import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

export interface TokenOptions {
  readonly audience?: string;
  /** Seconds from now; negative for an expired token. */
  readonly expiresIn?: number;
  /** Sign with a key the JWKS does not hold. */
  readonly foreignKey?: boolean;
  readonly claims?: Record<string, unknown>;
}

/** A local OIDC issuer standing in for Okta/Entra: discovery, JWKS, and ID tokens minted on demand. */
export interface OidcIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  mint(userName: string, options?: TokenOptions): Promise<string>;
  stop(): Promise<void>;
}

export async function startOidcIssuer(audience = "nats"): Promise<OidcIssuer> {
  const signing = await generateKeyPair("RS256");
  const foreign = await generateKeyPair("RS256");
  const jwk: JWK = { ...(await exportJWK(signing.publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  let base = "";
  const server: Server = createServer((request, response) => {
    if (request.url === "/.well-known/openid-configuration") {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/keys` }));
    } else if (request.url === "/keys") {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ keys: [jwk] }));
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = async (key: CryptoKey, userName: string, options: TokenOptions) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ preferred_username: userName, ...(options.claims ?? {}) })
      .setProtectedHeader({ alg: "RS256", kid: "test-key" })
      .setIssuer(base)
      .setSubject(`sub-${userName}`)
      .setAudience(options.audience ?? audience)
      .setIssuedAt(now - 60)
      .setExpirationTime(now + (options.expiresIn ?? 3600))
      .sign(key);
  };
  return {
    issuer: base,
    audience,
    jwksUrl: `${base}/keys`,
    mint: (userName, options = {}) =>
      sign(options.foreignKey === true ? foreign.privateKey : signing.privateKey, userName, options),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
