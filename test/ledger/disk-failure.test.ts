/**
 * A disk that refuses a write: the ledger child runs under a file-size limit (ulimit -f), so the journal
 * append that crosses it fails with EFBIG, as a full disk fails with ENOSPC.
 */
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openLedger } from "../../src/ledger/journal-ledger.js";
import { makeDataDir } from "./ledger-fixture.js";

let dir: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ dir, remove } = await makeDataDir());
});

afterEach(async () => {
  await remove();
});

describe("a write the disk refuses", () => {
  it("is refused with a LedgerIoError, undone in memory, and every later write is refused too", async () => {
    const script = join(dir, "..", "fill.mts");
    await writeFile(
      script,
      `import { openLedger } from ${JSON.stringify(join(process.cwd(), "src/ledger/journal-ledger.ts"))};
process.on("SIGXFSZ", () => undefined);
const ledger = await openLedger({ dir: ${JSON.stringify(dir)} });
const acknowledged = [];
let refusal;
for (let n = 0; n < 2000 && refusal === undefined; n++) {
  const id = "u" + n;
  try {
    await ledger.update("User", id, "create", () => ({ id, userName: id + "@x.io", padding: "x".repeat(200) }));
    acknowledged.push(id);
  } catch (error) {
    refusal = error;
  }
}
const later = await ledger.update("User", "late", "create", () => ({ id: "late", userName: "late" })).then(() => "accepted", (error) => error.name);
console.log(JSON.stringify({
  acknowledged,
  refusal: refusal && { name: refusal.name, message: refusal.message, cause: refusal.cause?.code ?? refusal.cause?.cause?.code },
  inMemory: ledger.list("User").map((user) => user.id),
  health: ledger.health(),
  later,
}));
`,
    );
    const result = spawnSync(
      "sh",
      ["-c", `ulimit -f 64; exec "${process.execPath}" --import tsx "${script}"`],
      {
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    const report = JSON.parse(result.stdout) as {
      acknowledged: string[];
      refusal: { name: string; message: string; cause: string };
      inMemory: string[];
      health: { ok: boolean; failure?: string };
      later: string;
    };
    expect(report.refusal).toMatchObject({ name: "LedgerIoError", cause: "EFBIG" });
    expect(report.refusal.message).toMatch(/fix the disk and restart serve/);
    expect(report.inMemory).toEqual(report.acknowledged);
    expect(report.health.ok).toBe(false);
    expect(report.later).toBe("LedgerIoError");

    const reopened = await openLedger({ dir });
    try {
      const present = reopened.list("User").map((user) => user.id);
      expect(present.slice(0, report.acknowledged.length)).toEqual(report.acknowledged);
      expect(present.length - report.acknowledged.length).toBeLessThanOrEqual(1);
    } finally {
      await reopened.close();
    }
  });
});
