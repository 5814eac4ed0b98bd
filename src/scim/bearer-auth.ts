/**
 * Bearer-token check: every configured token is compared (no early exit) as a SHA-256 digest with
 * `timingSafeEqual`, so neither the length nor the content of a token leaks through timing.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Secret } from "../secret.js";

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** The configured tokens' digests, computed once per Secret rather than on every request. */
const configuredDigests = new WeakMap<Secret, Buffer>();

function digestOf(token: Secret): Buffer {
  let known = configuredDigests.get(token);
  if (known === undefined) configuredDigests.set(token, (known = digest(token.reveal())));
  return known;
}

export function isAuthorised(req: IncomingMessage, tokens: readonly Secret[]): boolean {
  const header = req.headers.authorization;
  if (typeof header !== "string") return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null) return false;
  const presented = digest(match[1]!);
  let ok = false;
  for (const token of tokens) {
    if (token.reveal() !== "" && timingSafeEqual(presented, digestOf(token))) ok = true;
  }
  return ok;
}
