import { readFileSync } from "node:fs";
import { ConfigError } from "./config-error.js";
import type { GitHubConfig } from "./config-github.js";
import { readGitHubConfig, wantsGitHubMode } from "./config-github.js";
import { DEFAULT_SCIM_RATE_LIMIT } from "./scim/rate-limit.js";
import { Secret } from "./secret.js";

export { ConfigError } from "./config-error.js";
export type { GitHubConfig } from "./config-github.js";

/**
 * The only reader of `process.env` (STYLE). Names are DESIGN §9's; commands take what they need from here.
 * Values are read when asked for, so a command that does not use a target never fails on its variables.
 */
export interface Config {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly port: number | undefined;
  /** SCIM requests per second before 429 (`SCIM_RATE_LIMIT`); 0: no limit. */
  readonly scimRateLimit: number;
  /**
   * Whether the identity ledger shares fsyncs between writes (group commit). Internal, for the SCIM load
   * benchmark's baseline: `LEDGER_GROUP_COMMIT=off` gives every write its own fsync.
   */
  readonly ledgerGroupCommit: boolean;
  /** Every valid SCIM bearer token (rotation: several at once). */
  scimTokens(): Secret[];
  /**
   * GitHub mode's settings when `APP_ID` or a private key is set (DESIGN §9), else undefined (the embedded
   * git mode). Throws a ConfigError naming every variable to fix when GitHub mode is half set up.
   */
  github(): GitHubConfig | undefined;
  pulsar(): PulsarConnectionConfig | undefined;
  nats(): NatsConnectionConfig | undefined;
  natsAuth(): NatsAuthConfig;
}

export interface PulsarConnectionConfig {
  readonly adminUrl: string;
  readonly token: Secret | undefined;
}

export interface NatsConnectionConfig {
  readonly url: string;
  readonly creds: Secret | undefined;
  readonly user: string | undefined;
  readonly password: Secret | undefined;
  readonly sysCreds: Secret | undefined;
  readonly sysUser: string | undefined;
  readonly sysPassword: Secret | undefined;
}

export interface NatsAuthConfig {
  readonly issuerSeed: Secret | undefined;
  readonly xkeySeed: Secret | undefined;
  readonly oidcIssuer: string | undefined;
  readonly oidcAudience: string | undefined;
  readonly oidcJwksUrl: string | undefined;
  readonly oidcUserClaim: string;
  readonly jwtTtl: string;
  readonly bucket: string | undefined;
  /** `nats-auth`'s own GET /healthz; absent: none. */
  readonly healthPort: number | undefined;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  /** The file an environment variable names, as a Secret; creds files keep their layout, tokens are trimmed. */
  const secretFile = (variable: string, trim: boolean): Secret | undefined => {
    const path = get(variable);
    if (path === undefined) return undefined;
    try {
      const text = readFileSync(path, "utf8");
      return new Secret(trim ? text.trim() : text);
    } catch (error) {
      throw new ConfigError(`${variable} names ${path}, which cannot be read: check the path`, {
        cause: error,
      });
    }
  };
  const secretFrom = (name: string, fileName?: string): Secret | undefined => {
    const direct = get(name);
    if (direct !== undefined) return new Secret(direct);
    return fileName === undefined ? undefined : secretFile(fileName, true);
  };
  const credsFile = (name: string): Secret | undefined => secretFile(name, false);

  const portFrom = (name: string): number | undefined => {
    const text = get(name);
    const value = text === undefined ? undefined : Number(text);
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 65535)) {
      throw new ConfigError(`${name}=${text} is not a port number: use 0 (any free port) to 65535`);
    }
    return value;
  };
  const port = portFrom("PORT");

  const rateText = get("SCIM_RATE_LIMIT");
  const scimRateLimit = rateText === undefined ? DEFAULT_SCIM_RATE_LIMIT : Number(rateText);
  if (!Number.isInteger(scimRateLimit) || scimRateLimit < 0) {
    throw new ConfigError(
      `SCIM_RATE_LIMIT=${rateText} is not a rate: give SCIM requests per second as a whole number ` +
        `(default ${DEFAULT_SCIM_RATE_LIMIT}), or 0 for no limit`,
    );
  }
  const groupCommitText = get("LEDGER_GROUP_COMMIT")?.toLowerCase();
  if (groupCommitText !== undefined && groupCommitText !== "on" && groupCommitText !== "off") {
    throw new ConfigError(`LEDGER_GROUP_COMMIT=${groupCommitText} must be on or off`);
  }

  return {
    env,
    port,
    scimRateLimit,
    ledgerGroupCommit: groupCommitText !== "off",
    scimTokens() {
      const raw = secretFrom("SCIM_TOKEN", "SCIM_TOKEN_FILE");
      if (raw === undefined) return [];
      return raw
        .reveal()
        .split(/[,\n]/)
        .map((token) => token.trim())
        .filter((token) => token !== "")
        .map((token) => new Secret(token));
    },
    github() {
      return wantsGitHubMode(get) ? readGitHubConfig(get, (name) => env[name]) : undefined;
    },
    pulsar() {
      const adminUrl = get("PULSAR_ADMIN_URL");
      if (adminUrl === undefined) return undefined;
      return { adminUrl, token: secretFrom("PULSAR_TOKEN", "PULSAR_TOKEN_FILE") };
    },
    nats() {
      const url = get("NATS_URL");
      if (url === undefined) return undefined;
      return {
        url,
        creds: credsFile("NATS_CREDS"),
        user: get("NATS_USER"),
        password: secretFrom("NATS_PASSWORD"),
        sysCreds: credsFile("NATS_SYS_CREDS"),
        sysUser: get("NATS_SYS_USER"),
        sysPassword: secretFrom("NATS_SYS_PASSWORD"),
      };
    },
    natsAuth() {
      return {
        issuerSeed: secretFrom("NATS_AUTH_ISSUER_SEED"),
        xkeySeed: secretFrom("NATS_AUTH_XKEY_SEED"),
        oidcIssuer: get("OIDC_ISSUER"),
        oidcAudience: get("OIDC_AUDIENCE"),
        oidcJwksUrl: get("OIDC_JWKS_URL"),
        oidcUserClaim: get("OIDC_USER_CLAIM") ?? "preferred_username",
        jwtTtl: get("NATS_AUTH_JWT_TTL") ?? "1h",
        bucket: get("NATS_BUCKET"),
        healthPort: portFrom("NATS_AUTH_HEALTH_PORT"),
      };
    },
  };
}
