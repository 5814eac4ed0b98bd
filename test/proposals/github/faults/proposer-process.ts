/**
 * The App's proposals side in a process of its own, for the kill -9 test: the journal ledger on `DATA_DIR`,
 * startProposer with gitHubProposals and pacedClient against the fake at `FAKE_URL`. It writes `WRITES`
 * users `WRITE_GAP_MS` apart (and deactivates Alice after `DEACTIVATE_AFTER` of them), printing `ack <id>` once each is durable,
 * as serve acknowledges a SCIM request; then `flushed` once the proposer has nothing left to do.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ProbotOctokit } from "probot";
import { openLedger } from "../../../../src/ledger/journal-ledger.js";
import { gitHubProposals } from "../../../../src/proposals/github/github-proposals.js";
import { startProposer } from "../../../../src/proposals/proposer.js";
import { pacedClient } from "../../../../src/repos/github/paced-client.js";
import { patch, put } from "../../ledger-writes.js";
import { ALICE_ID, scimUser } from "../../policy-fixture.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
};
const now = () => new Date("2026-11-29T02:15:00.000Z");
const Client = ProbotOctokit.defaults((defaults: Record<string, unknown>) => ({
  ...defaults,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
const log = (level: string) => (line: string) => process.stderr.write(`${level}: ${line}\n`);

const ledger = await openLedger({ dir: env("DATA_DIR"), now });
const github = gitHubProposals({
  client: pacedClient(
    new Client({ auth: { token: "ghs_child0000000000000000000000000000" }, baseUrl: env("FAKE_URL") }),
  ),
  owner: "acme",
  repo: "policy",
  baseBranch: "main",
  policyDir: "policies",
  now,
});
const proposer = startProposer({
  ledger,
  ...github.proposer,
  debounceMs: 10,
  maxWaitMs: 100,
  watchMainMs: 500,
  retryDelaysMs: [100, 300, 1_000],
  now,
  log: { info: log("info"), warn: log("warn"), error: log("error") },
});

const writes = Number(process.env["WRITES"] ?? "0");
const deactivateAfter = Number(process.env["DEACTIVATE_AFTER"] ?? "-1");
const gap = Number(process.env["WRITE_GAP_MS"] ?? "5");
for (let n = 0; n < writes; n++) {
  const id = `c0ffee00-0000-4000-8000-${String(n).padStart(12, "0")}`;
  await put(ledger, "User", scimUser(id, `person-${n}@example.com`, `Person ${n}`));
  process.stdout.write(`ack ${id}\n`);
  if (n === deactivateAfter) {
    await patch(ledger, "User", ALICE_ID, { active: false });
    process.stdout.write(`ack ${ALICE_ID}\n`);
  }
  await sleep(gap);
}
for (;;) {
  try {
    await proposer.flush();
    if (proposer.state().emergencies.queued === 0) break;
  } catch {
    // GitHub refused this flush; the proposer retries, and so does this loop.
  }
  await sleep(100);
}
process.stdout.write("flushed\n");
setInterval(() => undefined, 60_000);
