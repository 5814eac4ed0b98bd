import { readFileSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JournalLedger } from "../../src/ledger/journal-ledger-contract.js";
import { openLedger } from "../../src/ledger/journal-ledger.js";
import { NotFoundError, UniquenessError } from "../../src/ledger/errors.js";
import type { LedgerChange } from "../../src/ledger/ledger.js";
import { group, makeDataDir, memberIds, user } from "./ledger-fixture.js";

let dir: string;
let remove: () => Promise<void>;
const open: JournalLedger[] = [];

async function openHere(options: Partial<Parameters<typeof openLedger>[0]> = {}): Promise<JournalLedger> {
  const ledger = await openLedger({ dir, ...options });
  open.push(ledger);
  return ledger;
}

beforeEach(async () => {
  ({ dir, remove } = await makeDataDir());
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((ledger) => ledger.close()));
  await remove();
});

describe("durability", () => {
  it("keeps every acknowledged write, in creation order, across a reopen", async () => {
    const first = await openHere();
    await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        first.update("User", `u${n}`, "create", () => user(`u${n}`, `p${n}@x.io`)),
      ),
    );
    await first.update("Group", "g1", "create", () => group("g1", "Payments", ["u1", "u2"]));
    await first.update("User", "u3", "delete", () => undefined);
    await first.close();

    const second = await openHere();
    expect(second.list("User").map((resource) => resource.id)).toEqual(
      first.list("User").map((resource) => resource.id),
    );
    expect(second.list("User")).toHaveLength(49);
    expect(memberIds(second.get("Group", "g1"))).toEqual(["u1", "u2"]);
    expect(second.findByName("User", "P7@X.IO")?.id).toBe("u7");
  });

  it("has the change in the journal on disk before the write resolves or a listener hears of it", async () => {
    const ledger = await openHere();
    const onDisk: boolean[] = [];
    ledger.subscribe((change) => {
      onDisk.push(readFileSync(join(dir, "journal.log"), "utf8").includes(`"i":"${change.id}"`));
    });
    const change = await ledger.update("User", "a1", "create", () => user("a1", "alice@x.io"));
    expect(readFileSync(join(dir, "journal.log"), "utf8")).toContain('"i":"a1"');
    expect(change.after?.userName).toBe("alice@x.io");
    expect(onDisk).toEqual([true]);
  });

  it("shares one fsync between writes that arrive together (group commit)", async () => {
    const ledger = await openHere();
    await Promise.all(
      Array.from({ length: 500 }, (_, n) =>
        ledger.update("User", `u${n}`, "create", () => user(`u${n}`, `n${n}`)),
      ),
    );
    expect(ledger.health().fsyncs).toBeLessThan(10);
    expect(ledger.health().lastSeq).toBe(500);
  });

  it("numbers changes strictly increasing across restarts and tells listeners in seq order", async () => {
    const first = await openHere();
    const heard: LedgerChange[] = [];
    first.subscribe((change) => heard.push(change));
    const writes = Array.from({ length: 20 }, (_, n) =>
      first.update("User", `u${n % 5}`, n < 5 ? "create" : "patch", (current) =>
        user(`u${n % 5}`, `n${n % 5}`, { title: `v${n}`, meta: current?.meta }),
      ),
    );
    const changes = await Promise.all(writes);
    expect(heard.map((change) => change.seq)).toEqual(changes.map((change) => change.seq));
    expect(changes.map((change) => change.seq)).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));
    await first.close();

    const second = await openHere();
    expect(second.lastSeq).toBe(20);
    const next = await second.update("User", "u0", "patch", (current) => ({ ...current!, title: "again" }));
    expect(next.seq).toBe(21);
  });

  it("compacts into a snapshot and rebuilds from snapshot plus journal", async () => {
    const ledger = await openHere({ compactAfterBytes: 4_000 });
    for (let n = 0; n < 100; n++)
      await ledger.update("User", `u${n}`, "create", () => user(`u${n}`, `n${n}`));
    expect(ledger.health().compactions).toBeGreaterThan(0);
    expect((await stat(join(dir, "journal.log"))).size).toBeLessThan(4_000 + 1_000);
    const afterCompaction = ledger.list("User").map((resource) => resource.id);
    await ledger.close();

    const reopened = await openHere();
    expect(reopened.list("User").map((resource) => resource.id)).toEqual(afterCompaction);
    expect(reopened.lastSeq).toBe(100);
  });
});

describe("writes", () => {
  it("serialises concurrent edits of one group so no added member is lost", async () => {
    const ledger = await openHere();
    await ledger.update("Group", "g", "create", () => group("g", "Everyone"));
    await Promise.all(
      Array.from({ length: 300 }, (_, n) =>
        ledger.update("Group", "g", "patch", (current) => ({
          ...current!,
          members: [...(current!.members as object[]), { value: `m${n}` }],
        })),
      ),
    );
    expect(memberIds(ledger.get("Group", "g"))).toHaveLength(300);
    await ledger.close();
    expect(memberIds((await openHere()).get("Group", "g"))).toHaveLength(300);
  });

  it("lets exactly one of many concurrent creates with the same name, in any case, succeed", async () => {
    const ledger = await openHere();
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, n) =>
        ledger.update("User", `id${n}`, "create", () =>
          user(`id${n}`, n % 2 ? "Bob@Example.com" : "bob@example.COM"),
        ),
      ),
    );
    const refused = results.filter((result) => result.status === "rejected");
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(refused).toHaveLength(39);
    for (const result of refused) expect(result.reason).toBeInstanceOf(UniquenessError);
    expect(ledger.list("User")).toHaveLength(1);
  });

  it("frees a name when its holder is renamed or deleted, and refuses a rename onto a taken one", async () => {
    const ledger = await openHere();
    await ledger.update("Group", "g1", "create", () => group("g1", "Ops"));
    await ledger.update("Group", "g2", "create", () => group("g2", "Dev"));
    await expect(ledger.update("Group", "g2", "replace", () => group("g2", "OPS"))).rejects.toBeInstanceOf(
      UniquenessError,
    );
    await ledger.update("Group", "g1", "replace", () => group("g1", "Operations"));
    await ledger.update("Group", "g2", "replace", () => group("g2", "ops"));
    expect(ledger.findByName("Group", "OPS")?.id).toBe("g2");
    await ledger.update("Group", "g2", "delete", () => undefined);
    expect(ledger.findByName("Group", "ops")).toBeUndefined();
  });

  it("refuses to delete what is not there, and passes an edit's refusal through unchanged", async () => {
    const ledger = await openHere();
    await expect(ledger.update("User", "nobody", "delete", () => undefined)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const refusal = new Error("schema violation");
    await expect(
      ledger.update("User", "x", "create", () => {
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(ledger.lastSeq).toBe(0);
  });

  it("refuses an edit that changes the stored resource in place instead of returning a new one", async () => {
    const ledger = await openHere();
    await ledger.update("Group", "g", "create", () => group("g", "Ops", ["u1"]));
    const inPlace = ledger.update("Group", "g", "patch", (current) => {
      (current!.members as object[]).push({ value: "u2" });
      return current;
    });
    await expect(inPlace).rejects.toThrow(TypeError);
    expect(memberIds(ledger.get("Group", "g"))).toEqual(["u1"]);
  });

  it("writes nothing for an edit that returns the resource unchanged", async () => {
    const ledger = await openHere();
    await ledger.update("User", "u", "create", () => user("u", "u@x.io"));
    const before = ledger.health().fsyncs;
    const heard: LedgerChange[] = [];
    ledger.subscribe((change) => heard.push(change));
    const change = await ledger.update("User", "u", "replace", (current) => current);
    expect(change.after).toBe(change.before);
    expect(heard).toEqual([]);
    expect(ledger.health().fsyncs).toBe(before);
  });
});

describe("passwords", () => {
  it("never writes a password to the data directory, however it is sent", async () => {
    const ledger = await openHere({ compactAfterBytes: 2_000 });
    for (let n = 0; n < 20; n++) {
      await ledger.update("User", `u${n}`, "create", () =>
        user(`u${n}`, `n${n}`, {
          password: "Secr3t-plain",
          PassWord: "Secr3t-cased",
          "urn:ietf:params:scim:schemas:core:2.0:User:password": "Secr3t-urn",
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            department: "D",
            password: "Secr3t-ext",
          },
        }),
      );
    }
    expect(ledger.get("User", "u0")).not.toHaveProperty("password");
    await ledger.close();
    for (const file of await readdir(dir)) {
      expect(await readFile(join(dir, file), "utf8")).not.toMatch(/Secr3t|password/i);
    }
  });
});

describe("seeding an empty data directory", () => {
  it("starts from the seed once, without passwords, and never asks again", async () => {
    let asked = 0;
    const seed = () => {
      asked++;
      return Promise.resolve({
        users: [user("u1", "alice@example.com", { password: "Secr3t-seed" })],
        groups: [group("g1", "Payments", ["u1"])],
      });
    };
    const first = await openHere({ seed });
    expect(first.findByName("User", "ALICE@example.com")?.id).toBe("u1");
    expect(first.get("User", "u1")).not.toHaveProperty("password");
    expect(first.lastSeq).toBe(0);
    await first.update("User", "u2", "create", () => user("u2", "bob@example.com"));
    await first.close();

    const second = await openHere({ seed });
    expect(asked).toBe(1);
    expect(second.list("User").map((resource) => resource.id)).toEqual(["u1", "u2"]);
    expect(memberIds(second.get("Group", "g1"))).toEqual(["u1"]);
    expect(await readFile(join(dir, "snapshot.json"), "utf8")).not.toContain("Secr3t");
  });
});
