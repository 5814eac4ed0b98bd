import type { NatsAuthConfig } from "../../config.js";
import type { Command } from "../command.js";
import { EXIT_OK, UsageError } from "../errors.js";
import { loadPolicyDir } from "../load-policy-dir.js";
import { natsPolicy } from "../../targets/nats/policy/nats-policy.js";
import { runNatsAuth } from "../../targets/nats/callout/run-nats-auth.js";

export const natsAuthCommand: Command = {
  name: "nats-auth",
  summary: "Run the NATS auth-callout service: IdP tokens in, user JWTs from the permission table out",
  help: `Usage: scim-gitops nats-auth [--policies DIR] [--health-port N]

Answers nats-server's auth callout ($SYS.REQ.USER.AUTH, queue group scim-gitops-nats-auth: run two or
more). A person connects with their IdP token as the NATS token, or as the password with an account as
the user name. The token is verified against the IdP's JWKS (issuer, audience, expiry, signature); the
person named by OIDC_USER_CLAIM gets a user JWT with the permissions apply wrote into the KV bucket, or
is refused (unknown, disabled, no grants, ambiguous account). Live connections whose entry is removed,
disabled or narrowed are kicked; at start and every 30 s all connections are reconciled. Stops cleanly
on SIGTERM or SIGINT. Tokens are never logged.

It may start before the first apply: until the KV bucket exists every connect is refused with that
reason (in the nats-server log), and it loads the bucket once it appears (checked every second). If the
bucket is deleted, every connection it authorized is kicked and connects are refused until it is back.

Options:
  --policies DIR   the policy directory whose settings name the bucket (nats.bucket; default: policies)
  --health-port N  serve GET /healthz on port N, every interface (0: any free port, printed): JSON with
                   the bucket's state (waiting|ready), people loaded and callout counts; 200 when ready
                   and connected, else 503. Also NATS_AUTH_HEALTH_PORT.

Environment:
  NATS_URL, NATS_CREDS or NATS_USER/NATS_PASSWORD      the AUTH-account user (auth_users)
  NATS_SYS_CREDS or NATS_SYS_USER/NATS_SYS_PASSWORD    the system user allowed KICK and CONNZ
  NATS_AUTH_ISSUER_SEED    account seed signing user JWTs (its public key is auth_callout.issuer)
  NATS_AUTH_XKEY_SEED      optional curve seed (auth_callout.xkey): requests arrive encrypted
  OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL (else discovered), OIDC_USER_CLAIM (preferred_username)
  NATS_AUTH_JWT_TTL        user JWT expiry, a backstop behind kicks (default 1h)
  NATS_BUCKET              overrides nats.bucket
  NATS_AUTH_HEALTH_PORT    as --health-port

Exit codes: 0 stopped by a signal, 1 error.
`,
  options: { policies: { type: "string" }, "health-port": { type: "string" } },
  async run({ values }, context) {
    const connection = context.config.nats();
    if (connection === undefined) throw new UsageError("NATS_URL is not set: set it to the nats-server URL");
    const auth = withHealthPort(context.config.natsAuth(), values["health-port"] as string | undefined);
    let bucket = auth.bucket;
    if (bucket === undefined) {
      const loaded = await loadPolicyDir(context, values.policies as string | undefined, context.now());
      bucket = natsPolicy.settingsOf(loaded.policy.settings)?.bucket;
      if (bucket === undefined) {
        throw new UsageError(
          `${loaded.display}/settings.yaml names no nats.bucket: set it, or set NATS_BUCKET`,
        );
      }
    }
    const log = (line: string) => context.stderr.write(`${new Date().toISOString()} ${line}\n`);
    const service = await runNatsAuth(connection, auth, bucket, log);
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
    });
    log("nats-auth: stopping");
    await service.stop();
    return EXIT_OK;
  },
};

function withHealthPort(auth: NatsAuthConfig, flag: string | undefined): NatsAuthConfig {
  if (flag === undefined) return auth;
  const port = Number(flag);
  if (flag.trim() === "" || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--health-port ${flag} is not a port number: use 0 (any free port) to 65535`);
  return { ...auth, healthPort: port };
}
