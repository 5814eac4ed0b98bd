import { verify, type KeyObject } from "node:crypto";
import type { AuthorizationRequest } from "@nats-io/jwt";
import { publicKeyObject } from "./nkey-text.js";

const servers = new Map<string, KeyObject>();

/**
 * The server's authorization request, its signature checked with node:crypto (jwt.js's `decode` verifies in
 * pure JS, several ms per callout). The signer must be the server the request names.
 */
export function decodeAuthorizationRequest(jwt: string): AuthorizationRequest {
  const [header, body, signature] = jwt.split(".");
  if (header === undefined || body === undefined || signature === undefined) {
    throw new Error("the authorization request is not a JWT");
  }
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as {
    iss?: string;
    nats?: Partial<AuthorizationRequest>;
  };
  const request = claims.nats;
  const issuer = claims.iss;
  if (issuer === undefined || request?.server_id?.id !== issuer || request.user_nkey === undefined) {
    throw new Error("the authorization request is not signed by the server it names");
  }
  let key = servers.get(issuer);
  if (key === undefined) {
    key = publicKeyObject(issuer);
    servers.set(issuer, key);
  }
  if (!verify(null, Buffer.from(`${header}.${body}`), key, Buffer.from(signature, "base64url"))) {
    throw new Error("the authorization request's signature does not verify");
  }
  return request as AuthorizationRequest;
}
