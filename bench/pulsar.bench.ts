/**
 * Issue 4's figures: a generated policy of 10k users and 2k namespaces against the stateful Pulsar admin
 * fake over real HTTP. Plan time, reads per namespace (goal 1), writes on a no-op apply (goal 0), and the
 * time to apply 1,000 changes with 20 ms of latency per request (concurrency across namespaces shows).
 */
import { Secret } from "../src/secret.js";
import { pulsarPolicy } from "../src/targets/pulsar/policy/pulsar-policy.js";
import { PulsarAdminClient } from "../src/targets/pulsar/admin-client.js";
import { WRITE_CONCURRENCY } from "../src/targets/pulsar/apply-pulsar.js";
import { pulsarTarget } from "../src/targets/pulsar/pulsar-target.js";
import { READ_CONCURRENCY } from "../src/targets/pulsar/read-actual.js";
import { startFakePulsarAdmin, type FakePulsarAdmin } from "../test/fakes/pulsar-admin/server.js";
import { largePolicy } from "./large-policy.js";
import { seedPulsarInSync } from "./in-sync-cluster.js";

const NOW = new Date("2026-11-29T00:00:00Z");
const TOKEN = "bench-superuser-token";
const LATENCY_MS = 20;
const CHANGES = 1_000;

export async function run(): Promise<void> {
  const { files, settings, desired } = largePolicy(NOW);
  const fake = await startFakePulsarAdmin({ tokens: { [TOKEN]: "admin" }, superUserRoles: ["admin"] });
  try {
    const grants = seedPulsarInSync(fake, desired, settings);
    const client = new PulsarAdminClient({ adminUrl: fake.url, token: new Secret(TOKEN) });
    const namespaces = fake.state.namespaces.size;
    console.log(
      `policy: ${files.size} files, ${pulsarPolicy.accessOf(desired).principals.size} Pulsar principals; cluster: ${namespaces} namespaces, ${grants} grants`,
    );

    let plan = pulsarTarget.plan(desired, settings, { namespaces: {}, tenants: {}, missing: [] });
    for (const label of ["cold", "warm"]) {
      fake.log.length = 0;
      const started = performance.now();
      const actual = await pulsarTarget.readActual(client, settings);
      const readAt = performance.now();
      plan = pulsarTarget.plan(desired, settings, actual);
      const planned = performance.now();
      console.log(
        `plan, ${label} (in sync): ${((planned - started) / 1000).toFixed(2)} s (read ${((readAt - started) / 1000).toFixed(2)} s ` +
          `over HTTP with the fake in the same process, compare ${((planned - readAt) / 1000).toFixed(2)} s), ${plan.changes.length} changes`,
      );
    }
    const policyReads = fake.log.filter((record) =>
      /^\/admin\/v2\/namespaces\/[^/]+\/[^/]+$/.test(record.path),
    ).length;
    console.log(
      `reads per namespace: ${(policyReads / namespaces).toFixed(2)} (goal 1, ${policyReads === namespaces ? "met" : "MISSED"}); ` +
        `plus 2 per managed tenant: ${fake.log.length} GETs in all`,
    );

    const before = fake.writes().length;
    await pulsarTarget.apply(client, plan, settings, {});
    const noopWrites = fake.writes().length - before;
    console.log(`writes on a no-op apply: ${noopWrites} (goal 0, ${noopWrites === 0 ? "met" : "MISSED"})`);

    const removed = removeGrants(fake, CHANGES);
    const drifted = pulsarTarget.plan(desired, settings, await pulsarTarget.readActual(client, settings));
    fake.faults.latencyMs = LATENCY_MS;
    const writesBefore = fake.writes().length;
    const applyStart = performance.now();
    const result = await pulsarTarget.apply(client, drifted, settings, {});
    const seconds = (performance.now() - applyStart) / 1000;
    const writes = fake.writes().length - writesBefore;
    const failed = result.results.filter((each) => !each.ok).length;
    const serial = (writes * LATENCY_MS) / 1000;
    console.log(
      `apply ${drifted.changes.length} changes (${removed} grants removed across ${Math.ceil(removed / 4)} namespaces) ` +
        `with ${LATENCY_MS} ms latency: ${seconds.toFixed(2)} s, ${writes} writes, ${failed} failed; ` +
        `serial estimate ${serial.toFixed(1)} s → ${(serial / seconds).toFixed(1)}× faster ` +
        `(concurrency ${WRITE_CONCURRENCY} across namespaces, peak ${fake.peakConcurrentWrites()} writes in flight, ` +
        `${fake.log.filter((record) => record.status === 409).length} × 409)`,
    );

    const readStart = performance.now();
    await pulsarTarget.readActual(client, settings);
    const readSeconds = (performance.now() - readStart) / 1000;
    console.log(
      `read with ${LATENCY_MS} ms latency: ${readSeconds.toFixed(2)} s for ${namespaces} namespaces ` +
        `(serial estimate ${(((namespaces + 40) * LATENCY_MS) / 1000).toFixed(1)} s; ${READ_CONCURRENCY} reads in flight)`,
    );
  } finally {
    await fake.close();
  }
}

/** Drift: drops four namespace grants in each of `count / 4` namespaces, so apply must grant them back. */
function removeGrants(fake: FakePulsarAdmin, count: number): number {
  let removed = 0;
  for (const namespace of fake.state.namespaces.values()) {
    const roles = [...namespace.namespaceAuth.keys()].slice(0, 4);
    for (const role of roles) {
      if (removed === count) return removed;
      namespace.namespaceAuth.delete(role);
      removed++;
    }
  }
  return removed;
}
