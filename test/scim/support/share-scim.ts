import { afterAll, beforeAll } from "vitest";
import type { ScimHandlerOptions } from "../../../src/scim/handler.js";
import { startScim, type TestScim } from "./scim-server.js";

/**
 * One server for every test of a file: started before the first test, closed after the last. The object
 * returned forwards to it, so a file can hold it in a `const` at top level.
 */
export function shareScim(options: Partial<ScimHandlerOptions> = {}): TestScim {
  let started: TestScim | undefined;
  beforeAll(async () => {
    started = await startScim(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (): TestScim => {
    if (started === undefined)
      throw new Error("the shared SCIM server starts in beforeAll: use it inside a test");
    return started;
  };
  return {
    get root() {
      return current().root;
    },
    get ledger() {
      return current().ledger;
    },
    get requests() {
      return current().requests;
    },
    call: (method, path, body, headers) => current().call(method, path, body, headers),
    close: () => current().close(),
  };
}
