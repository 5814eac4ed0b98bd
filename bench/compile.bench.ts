/**
 * Issue 2's goal: a generated policy of 10k users, 1k groups of about 20, 500 roles and 2k namespaces
 * (≈11.5k files) loads, validates and compiles in ≤ 2 s with peak RSS ≤ 500 MB, cold (the first run in a
 * fresh process, no cache), from files in memory. Reading them from disk, as `validate` does, is timed
 * afterwards for reference, so its garbage does not weigh on the goal's figures.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { compilePolicy } from "../src/policy/compile/compile.js";
import { hasErrors, loadPolicy } from "../src/policy/load/load.js";
import { readPolicyDir } from "../src/repos/policy-files.js";
import { POLICY_TARGETS } from "../src/targets/registry.js";
import { natsPolicy } from "../src/targets/nats/policy/nats-policy.js";
import { pulsarPolicy } from "../src/targets/pulsar/policy/pulsar-policy.js";
import { generatePolicyFiles } from "./generate-policy.js";

const GOAL_SECONDS = 2;
const GOAL_RSS_MB = 500;
const NOW = new Date("2026-11-29T00:00:00Z");

export async function run(): Promise<void> {
  const generated = generatePolicyFiles({
    users: 10_000,
    groups: 1_000,
    membersPerGroup: 20,
    roles: 500,
    namespaces: 2_000,
  });
  const bytes = [...generated.values()].reduce((sum, text) => sum + text.length, 0);
  console.log(`policy: ${generated.size} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);

  for (const label of ["cold", "warm"]) {
    const started = performance.now();
    const loaded = loadPolicy(generated, { dir: "policies", now: NOW, targets: POLICY_TARGETS });
    const loadedAt = performance.now();
    const access = compilePolicy(loaded.policy, NOW);
    const done = performance.now();
    if (hasErrors(loaded.diagnostics)) throw new Error("the generated policy does not validate");
    const total = (done - started) / 1000;
    const verdict = label === "cold" ? (total <= GOAL_SECONDS ? ", met" : ", MISSED") : "";
    console.log(
      `${label}: load+validate ${((loadedAt - started) / 1000).toFixed(3)} s, ` +
        `compile ${((done - loadedAt) / 1000).toFixed(3)} s, total ${total.toFixed(3)} s (goal ≤ ${GOAL_SECONDS} s${verdict}); ` +
        `${loaded.diagnostics.length} warnings, ${pulsarPolicy.accessOf(access).principals.size} Pulsar and ${natsPolicy.accessOf(access).principals.size} NATS principals`,
    );
  }
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `peak RSS ${peakMb.toFixed(0)} MB (goal ≤ ${GOAL_RSS_MB} MB, ${peakMb <= GOAL_RSS_MB ? "met" : "MISSED"})`,
  );

  const dir = await mkdtemp(join(tmpdir(), "compile-bench-"));
  try {
    for (const [path, text] of generated) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    const readStarted = performance.now();
    const files = await readPolicyDir(dir);
    const readSeconds = (performance.now() - readStarted) / 1000;
    console.log(
      `for reference, readPolicyDir of the ${files.size} files (page cache warm): ${readSeconds.toFixed(3)} s ` +
        `(not part of the goal; machine load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
