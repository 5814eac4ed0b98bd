import { createHash } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, errors } from "jose";

export interface OidcSettings {
  readonly issuer: string;
  readonly audience: string;
  /** Absent: discovered from `<issuer>/.well-known/openid-configuration`. */
  readonly jwksUrl?: string;
  readonly userClaim: string;
  /** The clock tokens are judged by (ms); the system's by default. */
  readonly now?: () => number;
}

/** Why a token was refused, for the server log: never the token itself. */
export class TokenRejected extends Error {
  override name = "TokenRejected";
}

export type VerifyToken = (token: string) => Promise<string>;

/**
 * How long a verified token is taken as verified again without checking its signature (never past its
 * `exp`): a person's clients reconnect with the same token, and each check costs a WebCrypto round trip.
 * No longer than jose keeps a JWKS key the IdP has since withdrawn (its cache holds keys for ten minutes).
 */
const REVERIFY_AFTER_MS = 5 * 60_000;
/** Tokens remembered at once; the oldest go first. */
const REMEMBERED_TOKENS = 10_000;

/** Verifies issuer, audience, expiry and signature against the IdP's JWKS; resolves to the person. */
export async function createTokenVerifier(settings: OidcSettings): Promise<VerifyToken> {
  const jwksUrl = settings.jwksUrl ?? (await discoverJwks(settings.issuer));
  const jwks = createRemoteJWKSet(new URL(jwksUrl));
  // By the token's hash, so the table holds no token a heap dump could reuse.
  const verified = new Map<string, { readonly person: string; readonly until: number }>();
  const now = settings.now ?? Date.now;
  return async (token) => {
    const key = createHash("sha256").update(token).digest("base64");
    const known = verified.get(key);
    if (known !== undefined && now() < known.until) return known.person;
    verified.delete(key);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: settings.issuer,
        audience: settings.audience,
        currentDate: new Date(now()),
      }));
    } catch (error) {
      throw new TokenRejected(describe(error), { cause: error });
    }
    const person = payload[settings.userClaim];
    if (typeof person !== "string" || person === "") {
      throw new TokenRejected(`the token has no ${settings.userClaim} claim (OIDC_USER_CLAIM)`);
    }
    const expires = typeof payload.exp === "number" ? payload.exp * 1000 : now();
    verified.set(key, { person, until: Math.min(expires, now() + REVERIFY_AFTER_MS) });
    if (verified.size > REMEMBERED_TOKENS) {
      const oldest = verified.keys().next();
      if (oldest.done !== true) verified.delete(oldest.value);
    }
    return person;
  };
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "the token has expired";
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (error instanceof errors.JWKSNoMatchingKey) return "no key in the IdP's JWKS matches the token";
  if (error instanceof errors.JOSEError) return `the token is not valid (${error.code})`;
  return "the token is not a JWT";
}

async function discoverJwks(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as { jwks_uri?: unknown };
    if (typeof body.jwks_uri !== "string") throw new Error("no jwks_uri");
    return body.jwks_uri;
  } catch (error) {
    throw new Error(`cannot discover the JWKS from ${url}: set OIDC_JWKS_URL or check OIDC_ISSUER`, {
      cause: error,
    });
  }
}
