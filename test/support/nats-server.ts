import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { createAccount, createCurve } from "@nats-io/nkeys";
import { findNatsServer } from "./nats-server-bin.js";

export interface NatsServerOptions {
  /** Encrypt callout requests (auth_callout.xkey). */
  readonly xkey?: boolean;
  /** The AUTH-account user may not subscribe to JetStream advisories (a locked-down deployment). */
  readonly authWithoutAdvisories?: boolean;
}

/** A real nats-server on 127.0.0.1 with the account layout of reference/nats.md. */
export interface RunningNatsServer {
  readonly url: string;
  readonly monitorUrl: string;
  readonly auth: { readonly user: string; readonly password: string };
  readonly sys: { readonly user: string; readonly password: string };
  /** The account seed whose public key is auth_callout.issuer. */
  readonly issuerSeed: string;
  readonly xkeySeed: string | undefined;
  /** The nats-server process (benchmarks read its CPU time). */
  readonly pid: number | undefined;
  /** What the server has logged so far (its stderr): where an operator reads why a connect was refused. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<RunningNatsServer> {
  const bin = findNatsServer();
  const dir = await mkdtemp(join(tmpdir(), "scim-gitops-nats-"));
  const issuer = createAccount();
  const xkey = options.xkey === true ? createCurve() : undefined;
  const authPassword = randomBytes(12).toString("hex");
  const sysPassword = randomBytes(12).toString("hex");
  const port = await freePort();
  const monitor = await freePort();
  const config = `
listen: 127.0.0.1:${port}
http: 127.0.0.1:${monitor}
server_name: test_${port}
jetstream { store_dir: "${join(dir, "js")}", max_mem: 64M, max_file: 256M }
accounts {
  AUTH { jetstream: enabled, users: [ { user: auth, password: "${authPassword}"${
    options.authWithoutAdvisories === true ? `, permissions: { subscribe: { deny: ["$JS.EVENT.>"] } }` : ""
  } } ] }
  APP { jetstream: enabled }
  PAYMENTS { }
  SYS { users: [ { user: kicker, password: "${sysPassword}", permissions: {
    publish: { allow: ["$SYS.REQ.SERVER.*.KICK", "$SYS.REQ.SERVER.PING.CONNZ"] },
    subscribe: { allow: ["_INBOX.>"] } } } ] }
}
system_account: SYS
authorization {
  auth_callout {
    issuer: ${issuer.getPublicKey()}
    auth_users: [auth, kicker]
    account: AUTH
    ${xkey === undefined ? "" : `xkey: ${xkey.getPublicKey()}`}
  }
}
`;
  const file = join(dir, "nats.conf");
  await writeFile(file, config);
  const child = spawn(bin, ["-c", file], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  await waitForReady(child, () => log, `http://127.0.0.1:${monitor}/healthz`);
  return {
    url: `nats://127.0.0.1:${port}`,
    monitorUrl: `http://127.0.0.1:${monitor}`,
    auth: { user: "auth", password: authPassword },
    sys: { user: "kicker", password: sysPassword },
    issuerSeed: new TextDecoder().decode(issuer.getSeed()),
    xkeySeed: xkey === undefined ? undefined : new TextDecoder().decode(xkey.getSeed()),
    pid: child.pid,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForReady(child: ChildProcess, log: () => string, healthz: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(healthz);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill("SIGKILL");
  throw new Error(`nats-server did not become healthy in 10 s:\n${log()}`);
}
