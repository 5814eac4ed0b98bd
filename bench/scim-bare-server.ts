/**
 * The diagnostic column of `scim-serve-load.bench.ts`: the same SCIM handler and journal ledger (group
 * commit and fsync on, default rate limit) on the same seeded data directory, in a process of its own, but
 * without the proposer or anything else `serve` runs. The gap between its figures and serve's is what the
 * rest of serve costs the SCIM requests sharing its main thread.
 *
 * Protocol (IPC): started with the data directory and token as arguments; sends `{root}` once listening;
 * answers `"figures"` with the ledger's counts; `"stop"` closes it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { openLedger } from "../src/ledger/journal-ledger.js";
import { createScimHandler } from "../src/scim/handler.js";
import { Secret } from "../src/secret.js";

export interface BareFigures {
  readonly kind: "figures";
  readonly fsyncs: number;
  readonly seq: number;
}

const [dataDir, token] = process.argv.slice(2);
if (process.send !== undefined && dataDir !== undefined && token !== undefined) {
  const ledger = await openLedger({ dir: dataDir });
  const secret = new Secret(token);
  const handler = createScimHandler({ ledger, tokens: () => [secret] });
  const server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  process.on("message", (message: string) => {
    if (message === "figures") {
      const health = ledger.health();
      process.send?.({ kind: "figures", fsyncs: health.fsyncs, seq: health.lastSeq } satisfies BareFigures);
      return;
    }
    server.closeAllConnections();
    server.close();
    handler.close();
    void ledger.close().then(() => process.disconnect());
  });
  process.send({ root: `http://127.0.0.1:${port}/scim/v2` });
}
