/**
 * Issue 5's figures on a real nats-server: connects per second through the auth callout (one service
 * instance, in this process alongside the clients) and the latency it adds over a plain configured user;
 * then revocation latency from the KV delete apply performs to the client's socket closing.
 */
import { cpus, loadavg } from "node:os";
import { encodeUser } from "@nats-io/jwt";
import { createAccount, createUser, fromSeed } from "@nats-io/nkeys";
import { connect, Events, type ConnectionOptions, type NatsConnection } from "nats";
import { createFastKeyPair } from "../src/targets/nats/callout/ed25519-key-pair.js";
import { perms, startWorld, type NatsWorld } from "../test/nats/fixture.js";

const SEQUENTIAL = 300;
const PARALLEL = 600;
const IN_FLIGHT = 10;
const REVOCATIONS = 30;
const MASS = 100;

export async function run(): Promise<void> {
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
  console.log(
    `machine: ${cpus().length} cores, load average ${load} (clients, server and service share them)`,
  );
  await signingCost();
  const world = await startWorld();
  try {
    await world.put("alice", { APP: perms(["app.>"], ["app.>", "_INBOX.>"]) });
    await world.startService();
    const token = await world.oidc.mint("alice");
    const viaCallout: ConnectionOptions = { servers: world.server.url, token };
    const plain: ConnectionOptions = {
      servers: world.server.url,
      user: world.server.auth.user,
      pass: world.server.auth.password,
    };
    await timeConnects(viaCallout, 20); // warm-up: JWKS fetch, JIT
    const plainMs = await timeConnects(plain, SEQUENTIAL);
    const calloutMs = await timeConnects(viaCallout, SEQUENTIAL);
    console.log(
      `sequential connects through the callout: ${rate(SEQUENTIAL, calloutMs)}/s (goal ≥ 200/s per instance); plain user ${rate(SEQUENTIAL, plainMs)}/s`,
    );
    console.log(
      `latency added by the callout per connect: ${((calloutMs - plainMs) / SEQUENTIAL).toFixed(2)} ms (${(calloutMs / SEQUENTIAL).toFixed(2)} vs ${(plainMs / SEQUENTIAL).toFixed(2)} ms)`,
    );
    const parallelMs = await timeConnects(viaCallout, PARALLEL, IN_FLIGHT);
    console.log(`connects with ${IN_FLIGHT} in flight: ${rate(PARALLEL, parallelMs)}/s (goal ≥ 200/s)`);
    await revocationLatency(world);
    await massRevocation(world);
  } finally {
    await world.stop();
  }
}

/** Why the key pair is ours: one user JWT signed with the stock nkeys pair vs the node:crypto one. */
async function signingCost(): Promise<void> {
  const seed = new TextDecoder().decode(createAccount().getSeed());
  const user = createUser().getPublicKey();
  const time = async (kp: Parameters<typeof encodeUser>[2], n: number) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) await encodeUser("alice", user, kp, {}, { aud: "APP" });
    return (performance.now() - started) / n;
  };
  const stock = await time(fromSeed(new TextEncoder().encode(seed)), 10);
  const fast = await time(createFastKeyPair(seed), 200);
  console.log(
    `user JWT signing: stock nkeys pair ${stock.toFixed(1)} ms, node:crypto ed25519 pair ${fast.toFixed(3)} ms`,
  );
}

async function timeConnects(options: ConnectionOptions, count: number, inFlight = 1): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        next++;
        const nc = await connect({ ...options, reconnect: false });
        await nc.close();
      }
    }),
  );
  return performance.now() - started;
}

async function revocationLatency(world: NatsWorld): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < REVOCATIONS; i++) {
    const person = `leaver-${i}`;
    await world.put(person, { APP: perms(["app.>"], ["app.>"]) });
    const nc = await world.connectAs(person, { maxReconnectAttempts: 0 });
    const disconnected = waitForDisconnect(nc);
    const started = performance.now();
    await world.remove(person);
    await disconnected;
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(1);
  console.log(
    `revocation latency, KV delete → socket closed (${REVOCATIONS} leavers): median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms (goal ≤ 100 ms)`,
  );
}

/** An emergency for many at once: one apply deleting every leaver's key, until the last socket closes. */
async function massRevocation(world: NatsWorld): Promise<void> {
  const people = Array.from({ length: MASS }, (_, i) => `mass-${i}`);
  await Promise.all(people.map((person) => world.put(person, { APP: perms(["app.>"], ["app.>"]) })));
  const connections = await Promise.all(
    people.map((person) => world.connectAs(person, { maxReconnectAttempts: 0 })),
  );
  const disconnected = connections.map(waitForDisconnect);
  const started = performance.now();
  await Promise.all(people.map((person) => world.remove(person)));
  await Promise.all(disconnected);
  console.log(
    `mass revocation: ${MASS} people's keys deleted → all ${MASS} sockets closed in ${(performance.now() - started).toFixed(0)} ms`,
  );
}

async function waitForDisconnect(nc: NatsConnection): Promise<void> {
  const statuses = nc.status();
  const closed = nc.closed().then(() => undefined);
  const disconnect = (async () => {
    for await (const status of statuses) if (status.type === Events.Disconnect) return;
  })();
  await Promise.race([closed, disconnect]);
}

function rate(count: number, ms: number): string {
  return ((count * 1000) / ms).toFixed(0);
}
