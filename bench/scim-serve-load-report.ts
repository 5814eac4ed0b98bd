/** The tables scim-serve-load.bench.ts prints: each rate's figures per mode, medians over the runs. */
import type { LatencySummary, StepResult } from "./scim-load-generator.js";

export interface Mode {
  readonly label: string;
  readonly key: string;
  /** `serve` as deployed, or the SCIM handler and ledger alone (a diagnostic, not the figure). */
  readonly server: "serve" | "bare";
  readonly groupCommit: boolean;
}

export interface Measured {
  readonly step: StepResult;
  /** How long the proposer took to commit the step's writes after the step ended, and in how many commits. */
  readonly caughtUp: { readonly seconds: number; readonly commits: number } | undefined;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  /** Ledger writes per fsync during the step. */
  readonly writesPerFsync: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ms = (value: number) => (value < 10 ? value.toFixed(1) : value.toFixed(0));

function latencies(runs: readonly LatencySummary[]): string {
  return `${ms(median(runs.map((r) => r.p50)))} / ${ms(median(runs.map((r) => r.p99)))} / ${ms(median(runs.map((r) => r.max)))} ms`;
}

/** The non-2xx answers and failed requests of all runs together, e.g. "429 ×84, ECONNRESET ×3". */
function errorStatuses(all: readonly Readonly<Record<string, number>>[]): string {
  const counts = new Map<string, number>();
  for (const statuses of all) {
    for (const [status, count] of Object.entries(statuses)) {
      if (!/^2/.test(status)) counts.set(status, (counts.get(status) ?? 0) + count);
    }
  }
  if (counts.size === 0) return "-";
  return [...counts].map(([status, count]) => `${status.replace(/^failed /, "")} ×${count}`).join(", ");
}

export function report(
  {
    rate,
    seconds,
    runs: RUNS,
    goal: GOAL,
  }: { rate: number; seconds: number; runs: number; goal: { rate: number; p99Ms: number } },
  byMode: ReadonlyMap<Mode, Measured[]>,
): void {
  console.log(
    `\n${rate} req/s for ${seconds} s (p50 / p99 / max, medians of ${RUNS} run${RUNS > 1 ? "s" : ""}):`,
  );
  const rows: [string, (runs: Measured[]) => string][] = [
    ["achieved", (runs) => `${median(runs.map((r) => r.step.achieved)).toFixed(0)} req/s`],
    ["all requests", (runs) => latencies(runs.map((r) => r.step.overall))],
    ["writes", (runs) => latencies(runs.map((r) => r.step.writes))],
    ["errors", (runs) => `${median(runs.map((r) => r.step.errors))} of ${runs[0]!.step.sent}`],
    ["  why (all runs)", (runs) => errorStatuses(runs.map((r) => r.step.statuses))],
    ["writes per fsync", (runs) => median(runs.map((r) => r.writesPerFsync)).toFixed(1)],
    [
      "proposer settled",
      (runs) => {
        const caught = runs.flatMap((r) => (r.caughtUp === undefined ? [] : [r.caughtUp]));
        if (caught.length === 0) return "-";
        return `${median(caught.map((c) => c.seconds)).toFixed(1)} s later, ${median(caught.map((c) => c.commits))} sync commits`;
      },
    ],
    [
      "server RSS",
      (runs) =>
        `${median(runs.map((r) => r.rssBeforeMb)).toFixed(0)} → ${median(runs.map((r) => r.rssAfterMb)).toFixed(0)} MB`,
    ],
  ];
  const modes = [...byMode.keys()];
  console.log(`  ${"".padEnd(18)}${modes.map((mode) => mode.label.padEnd(30)).join("")}`);
  for (const [label, cell] of rows) {
    console.log(`  ${label.padEnd(18)}${modes.map((mode) => cell(byMode.get(mode)!).padEnd(30)).join("")}`);
  }
  const kinds = Object.keys(byMode.get(modes[0]!)![0]!.step.byKind);
  for (const kind of kinds) {
    console.log(
      `    ${kind.padEnd(26)}${modes
        .map((mode) => {
          const runs = byMode
            .get(mode)!
            .map((r) => r.step.byKind[kind])
            .filter((s) => s !== undefined);
          return `p50 ${ms(median(runs.map((s) => s.p50)))}  p99 ${ms(median(runs.map((s) => s.p99)))} ms`.padEnd(
            30,
          );
        })
        .join("")}`,
    );
  }
  if (rate === GOAL.rate) {
    for (const mode of modes.filter((candidate) => candidate.server === "serve")) {
      const runs = byMode.get(mode)!;
      const p99 = median(runs.map((r) => r.step.overall.p99));
      const achieved = median(runs.map((r) => r.step.achieved));
      const met = p99 <= GOAL.p99Ms && achieved >= GOAL.rate * 0.98 && runs.every((r) => r.step.errors === 0);
      console.log(
        `  goal ${GOAL.rate} req/s at p99 ≤ ${GOAL.p99Ms} ms, no errors — ${mode.label}: ${met ? "met" : "MISSED"} ` +
          `(p99 ${ms(p99)} ms at ${achieved.toFixed(0)} req/s)`,
      );
    }
  }
}
