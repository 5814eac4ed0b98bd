import { spawn } from "node:child_process";
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LedgerLockedError } from "../../src/ledger/errors.js";
import type { JournalLedger } from "../../src/ledger/journal-ledger-contract.js";
import { openLedger } from "../../src/ledger/journal-ledger.js";
import { encodeRecord } from "../../src/ledger/journal-record.js";
import { makeDataDir, user } from "./ledger-fixture.js";

let dir: string;
let remove: () => Promise<void>;
const open: JournalLedger[] = [];

beforeEach(async () => {
  ({ dir, remove } = await makeDataDir());
  await mkdir(dir, { recursive: true });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((ledger) => ledger.close()));
  await remove();
});

async function openHere(log?: (line: string) => void): Promise<JournalLedger> {
  const ledger = await openLedger({ dir, ...(log === undefined ? {} : { log }) });
  open.push(ledger);
  return ledger;
}

const record = (seq: number, id: string) =>
  encodeRecord({
    seq,
    type: "User",
    id,
    operation: "create",
    body: { kind: "whole", after: user(id, `${id}@x.io`) },
    at: "2026-11-29T00:00:00Z",
  });

describe("replay after a crash", () => {
  it("ignores a torn last record, and later writes are readable after the next restart", async () => {
    const torn = record(3, "u3");
    await writeFile(join(dir, "journal.log"), record(1, "u1") + record(2, "u2") + torn.slice(0, 40));
    const lines: string[] = [];
    const first = await openHere((line) => lines.push(line));
    expect(first.list("User").map((resource) => resource.id)).toEqual(["u1", "u2"]);
    expect(lines.join("\n")).toMatch(/dropped 40 bytes/);
    const change = await first.update("User", "u4", "create", () => user("u4", "u4@x.io"));
    expect(change.seq).toBe(3);
    await first.close();
    expect((await openHere()).list("User").map((resource) => resource.id)).toEqual(["u1", "u2", "u4"]);
  });

  it("stops at a record whose checksum fails, with what follows it (never acknowledged)", async () => {
    const damaged = record(2, "u2").replace("u2@x.io", "u2@x.iX");
    await writeFile(join(dir, "journal.log"), record(1, "u1") + damaged + record(3, "u3"));
    const lines: string[] = [];
    const ledger = await openHere((line) => lines.push(line));
    expect(ledger.list("User").map((resource) => resource.id)).toEqual(["u1"]);
    expect(lines.join("\n")).toMatch(/and 1 records after it/);
  });

  it("skips journal records a snapshot already holds (a crash between snapshot and truncation)", async () => {
    const first = await openHere();
    await first.update("User", "u1", "create", () => user("u1", "u1@x.io"));
    await first.close();
    await appendFile(join(dir, "journal.log"), record(1, "u1"));
    const second = await openHere();
    expect(second.list("User")).toHaveLength(1);
    expect(second.lastSeq).toBe(1);
  });

  it("keeps every write acknowledged before kill -9 (ledger in a child process)", async () => {
    const script = join(dir, "..", "writer.mts");
    await writeFile(
      script,
      `import { openLedger } from ${JSON.stringify(join(process.cwd(), "src/ledger/journal-ledger.ts"))};
const ledger = await openLedger({ dir: ${JSON.stringify(dir)} });
for (let n = 0; ; n++) {
  const id = "u" + n;
  void ledger.update("User", id, "create", () => ({ id, userName: id + "@x.io" })).then(() => process.stdout.write(id + "\\n"));
  if (n % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
}
`,
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    await new Promise<void>((resolve, reject) => {
      child.on("exit", (code) =>
        reject(new Error(`the writer exited early (${code}): ${output.slice(-200)}`)),
      );
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.split("\n").length > 2_000) resolve();
      });
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    const acknowledged = output.split("\n").slice(0, -1);
    const lines: string[] = [];
    const ledger = await openHere((line) => lines.push(line));
    const present = new Set(ledger.list("User").map((resource) => resource.id));
    expect(acknowledged.filter((id) => !present.has(id))).toEqual([]);
    expect(lines.join("\n")).toMatch(/took over the lock of process \d+/);
  });
});

describe("one process per data directory", () => {
  it("refuses a second opener while the first holds the lock, with a message that says what to do", async () => {
    await openHere();
    const second = openLedger({ dir });
    await expect(second).rejects.toBeInstanceOf(LedgerLockedError);
    await expect(second).rejects.toThrow(/in use by process \d+.*stop that serve first/);
  });

  it("takes over a lock left by a process that is no longer running", async () => {
    const child = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => child.on("exit", resolve));
    await writeFile(join(dir, "ledger.lock"), `${child.pid}\n`);
    const lines: string[] = [];
    const ledger = await openHere((line) => lines.push(line));
    expect(lines[0]).toBe(`ledger: took over the lock of process ${child.pid}, which is no longer running`);
    expect(await readFile(join(dir, "ledger.lock"), "utf8")).toBe(`${process.pid}\n`);
    await ledger.close();
    await expect(readFile(join(dir, "ledger.lock"))).rejects.toThrow(/ENOENT/);
  });

  it("takes over a lock naming this very pid that this process does not hold (a container restart)", async () => {
    await writeFile(join(dir, "ledger.lock"), `${process.pid}\n`);
    const ledger = await openHere();
    await ledger.update("User", "a1", "create", () => user("a1", "alice@x.io"));
    expect(ledger.get("User", "a1")?.userName).toBe("alice@x.io");
    // Taken over, the lock is really held again: a second open is refused like any other.
    await expect(openHere()).rejects.toBeInstanceOf(LedgerLockedError);
  });
});
