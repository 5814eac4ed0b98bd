/**
 * Where serve's SCIM bearer tokens come from: SCIM_TOKEN or SCIM_TOKEN_FILE (DESIGN §9), re-read every few
 * seconds so a rotation in the file needs no restart; with neither set, a token generated once into
 * `<data>/scim-token` (mode 0600). Only the file's path is ever printed, never a token.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import type { Config } from "../config.js";
import { Secret } from "../secret.js";

export interface TokenSource {
  readonly tokens: () => readonly Secret[];
  /** For the startup line: where a person finds the token. */
  readonly description: string;
}

const REREAD_MS = 5_000;

export async function resolveScimTokens(config: Config, generatedPath: string): Promise<TokenSource> {
  const configured = config.scimTokens();
  if (configured.length > 0) {
    const fromFile = config.env["SCIM_TOKEN"] === undefined || config.env["SCIM_TOKEN"].trim() === "";
    return {
      tokens: cachedTokens(config, configured),
      description: fromFile
        ? `SCIM bearer token: read from SCIM_TOKEN_FILE (${config.env["SCIM_TOKEN_FILE"] ?? ""})`
        : `SCIM bearer token: from SCIM_TOKEN (${configured.length} valid)`,
    };
  }
  const token = await readOrCreateToken(generatedPath);
  return {
    tokens: () => [token],
    description: `SCIM bearer token: in ${generatedPath} (send it as 'Authorization: Bearer <token>')`,
  };
}

function cachedTokens(config: Config, first: Secret[]): () => readonly Secret[] {
  let tokens = first;
  let readAt = Date.now();
  return () => {
    if (Date.now() - readAt > REREAD_MS) {
      readAt = Date.now();
      try {
        const fresh = config.scimTokens();
        if (fresh.length > 0) tokens = fresh;
      } catch {
        // An unreadable file mid-rotation keeps the tokens already known rather than locking the IdP out.
      }
    }
    return tokens;
  };
}

async function readOrCreateToken(path: string): Promise<Secret> {
  let text: string | undefined;
  try {
    text = (await readFile(path, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new TokenFileError(`Cannot read the SCIM token file ${path}: check its permissions`, {
        cause: error,
      });
    }
  }
  if (text !== undefined) {
    // An empty token would let an empty bearer in.
    if (text.length < 16) {
      throw new TokenFileError(
        `The SCIM token file ${path} holds no usable token (under 16 characters): delete it and serve generates a new one`,
      );
    }
    return new Secret(text);
  }
  const token = randomBytes(32).toString("base64url");
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  return new Secret(token);
}

export class TokenFileError extends Error {
  override name = "TokenFileError";
}
