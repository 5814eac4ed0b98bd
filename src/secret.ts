import { inspect } from "node:util";

/**
 * A credential that cannot leak by accident: printing, logging, `JSON.stringify` or `util.inspect` show
 * `[redacted]`. Only `reveal()` gives the value, at the one place that sends it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return "[redacted]";
  }

  toJSON(): string {
    return "[redacted]";
  }

  [inspect.custom](): string {
    return "[redacted]";
  }
}

const REDACTED = "[redacted]";
/** An Authorization value with its scheme: `Bearer …`, `Basic …`, and `token …` when what follows is token-shaped. */
const AUTHORIZATION = /\b(bearer|basic)\s+[^\s"',;]+|\b(token)\s+[A-Za-z0-9_.-]{20,}/gi;
/** GitHub's token formats (installation, user, OAuth, refresh, fine-grained PAT). */
const GITHUB_TOKEN = /\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{8,}/g;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g;

/**
 * Credential-shaped text replaced by `[redacted]`: Authorization values, GitHub tokens and JWTs, which a
 * response body, an error or a log line can echo back without anyone having passed a `Secret`. The word
 * "token" alone ("a JSON web token could not be decoded") is left as it is.
 */
export function redactCredentials(text: string): string {
  // GitHub's tokens first, so `token ghs_…` keeps its recognisable prefix.
  return text
    .replace(GITHUB_TOKEN, (_match, prefix: string) => `${prefix}${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(AUTHORIZATION, (_match, scheme: string | undefined, word: string | undefined) => {
      return `${scheme ?? word ?? ""} ${REDACTED}`;
    });
}
