/**
 * One cold run of `scim-gitops plan`'s work, in a process of its own (started by compile.bench.ts), timed
 * part by part: read the policy directory, load + compile, read each target's actual state, compare. Prints
 * one JSON line. The `yaml` library's full parse of the same files runs last, after the peak RSS is taken,
 * so its garbage does not weigh on the figure it is the baseline of.
 *
 * Usage: node --import tsx bench/compile-plan-run.ts POLICY_DIR (PULSAR_* and NATS_* in the environment).
 */
import { parseDocument } from "yaml";
import { loadConfig } from "../src/config.js";
import { compilePolicy } from "../src/policy/compile/compile.js";
import { hasErrors, loadPolicy } from "../src/policy/load/load.js";
import { readPolicyDir } from "../src/repos/policy-files.js";
import { natsTarget } from "../src/targets/nats/nats-target.js";
import { pulsarTarget } from "../src/targets/pulsar/pulsar-target.js";
import { POLICY_TARGETS } from "../src/targets/registry.js";

export interface CompilePlanFigures {
  readonly readFilesMs: number;
  readonly loadMs: number;
  readonly compileMs: number;
  readonly pulsarReadMs: number;
  readonly pulsarCompareMs: number;
  readonly natsReadMs: number;
  readonly natsCompareMs: number;
  readonly peakRssMb: number;
  readonly yamlParseMs: number;
  readonly files: number;
  readonly namespaces: number;
  readonly natsEntries: number;
  readonly changes: number;
}

const NOW = new Date("2026-11-29T00:00:00Z");

async function main(dir: string): Promise<CompilePlanFigures> {
  const config = loadConfig(process.env);
  const pulsar = pulsarTarget.connect(config);
  const nats = natsTarget.connect(config);
  if (pulsar === undefined || nats === undefined) throw new Error("PULSAR_* and NATS_* must be set");
  const clock = stopwatch();
  const files = await readPolicyDir(dir);
  const readFilesMs = clock();
  const loaded = loadPolicy(files, { dir: "policies", now: NOW, targets: POLICY_TARGETS });
  const loadMs = clock();
  if (hasErrors(loaded.diagnostics)) throw new Error("the generated policy does not validate");
  const desired = compilePolicy(loaded.policy, NOW);
  const compileMs = clock();
  const { settings } = loaded.policy;
  const pulsarActual = await pulsarTarget.readActual(pulsar, settings);
  const pulsarReadMs = clock();
  const pulsarPlan = pulsarTarget.plan(desired, settings, pulsarActual);
  const pulsarCompareMs = clock();
  const natsActual = await natsTarget.readActual(nats, settings);
  const natsReadMs = clock();
  const natsPlan = natsTarget.plan(desired, settings, natsActual);
  const natsCompareMs = clock();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  await natsTarget.close?.(nats);
  for (const text of files.values()) parseDocument(text);
  const yamlParseMs = clock();
  return {
    readFilesMs,
    loadMs,
    compileMs,
    pulsarReadMs,
    pulsarCompareMs,
    natsReadMs,
    natsCompareMs,
    peakRssMb,
    yamlParseMs,
    files: files.size,
    namespaces: Object.keys(pulsarActual.namespaces).length,
    natsEntries: Object.keys(natsActual.entries).length,
    changes: pulsarPlan.changes.length + natsPlan.changes.length,
  };
}

/** Milliseconds since the last call. */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const elapsed = now - last;
    last = now;
    return elapsed;
  };
}

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: compile-plan-run.ts POLICY_DIR");
process.stdout.write(`${JSON.stringify(await main(dir))}\n`);
