import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from "nats";
import type { NatsConnectionConfig } from "../../config.js";

export class NatsConnectError extends Error {
  override name = "NatsConnectError";
}

export type NatsRole = "auth" | "sys";

/**
 * Connects as the AUTH-account user (KV bucket) or the system-account user (KICK and CONNZ only), with the
 * credentials DESIGN §9 names. Error messages name the variables to check and never hold a secret.
 */
export async function connectNats(
  config: NatsConnectionConfig,
  role: NatsRole,
  extra: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  const creds = role === "auth" ? config.creds : config.sysCreds;
  const user = role === "auth" ? config.user : config.sysUser;
  const password = role === "auth" ? config.password : config.sysPassword;
  const options: ConnectionOptions = {
    servers: config.url.split(",").map((server) => server.trim()),
    name: role === "auth" ? "scim-gitops" : "scim-gitops-sys",
    ...extra,
  };
  if (creds !== undefined)
    options.authenticator = credsAuthenticator(new TextEncoder().encode(creds.reveal()));
  else if (user !== undefined) {
    options.user = user;
    options.pass = password?.reveal() ?? "";
  }
  try {
    return await connect(options);
  } catch (error) {
    const names =
      role === "auth"
        ? "NATS_CREDS or NATS_USER/NATS_PASSWORD"
        : "NATS_SYS_CREDS or NATS_SYS_USER/NATS_SYS_PASSWORD";
    const message = error instanceof Error ? error.message : String(error);
    throw new NatsConnectError(
      `cannot connect to NATS at ${config.url} as the ${role === "auth" ? "AUTH-account" : "system-account"} user (${message}): check NATS_URL and ${names}`,
      { cause: error },
    );
  }
}

/** Connections opened on first use and closed together: `connect()` of a target must not do I/O. */
export class NatsTargetConnection {
  readonly #config: NatsConnectionConfig;
  #auth: Promise<NatsConnection> | undefined;
  #sys: Promise<NatsConnection> | undefined;

  constructor(config: NatsConnectionConfig) {
    this.#config = config;
  }

  get hasSystemUser(): boolean {
    return this.#config.sysCreds !== undefined || this.#config.sysUser !== undefined;
  }

  auth(): Promise<NatsConnection> {
    this.#auth ??= connectNats(this.#config, "auth");
    return this.#auth;
  }

  sys(): Promise<NatsConnection> {
    this.#sys ??= connectNats(this.#config, "sys");
    return this.#sys;
  }

  async close(): Promise<void> {
    const open = [this.#auth, this.#sys].filter((item) => item !== undefined);
    this.#auth = undefined;
    this.#sys = undefined;
    await Promise.all(
      open.map(async (pending) => {
        try {
          await (await pending).drain();
        } catch {
          // A connection that never opened or is already closed has nothing left to release.
        }
      }),
    );
  }
}
