/** A real HTTP server on 127.0.0.1:0 with the SCIM handler, and a small client shaped like the IdPs'. */
import { createServer, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { IdentityLedger } from "../../../src/ledger/ledger.js";
import { Secret } from "../../../src/secret.js";
import { createScimHandler, type ScimHandlerOptions } from "../../../src/scim/handler.js";
import { openLedger } from "../../../src/ledger/journal-ledger.js";

export const TOKEN = "test-token-0123456789abcdef";

export interface ScimReply {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly text: string;
}

export interface TestScim {
  readonly root: string;
  readonly ledger: IdentityLedger;
  readonly requests: { status: number; method: string }[];
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimReply>;
  close(): Promise<void>;
}

export function openTestLedger(dir: string): Promise<IdentityLedger> {
  return openLedger({ dir });
}

export async function startScim(options: Partial<ScimHandlerOptions> = {}): Promise<TestScim> {
  const dir = await mkdtemp(join(tmpdir(), "scim-test-"));
  const ledger = options.ledger ?? (await openTestLedger(join(dir, "data")));
  const requests: { status: number; method: string }[] = [];
  const handler = createScimHandler({
    tokens: () => [new Secret(TOKEN)],
    onRequest: (status, method) => requests.push({ status, method }),
    ...options,
    ledger,
  });
  const server: Server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404, { "Content-Type": "text/plain" }).end("not scim");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const root = `http://127.0.0.1:${port}/scim/v2`;
  return {
    root,
    ledger,
    requests,
    async call(method, path, body, headers = {}) {
      const response = await fetch(`${root}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${TOKEN}`,
          ...(body === undefined ? {} : { "Content-Type": "application/scim+json" }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === "" ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error";

export function oktaUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const [given = "Test", family = "User"] = userName.split("@")[0]!.split(".");
  return {
    schemas: [USER_URN],
    userName,
    name: { givenName: given, familyName: family },
    emails: [{ primary: true, value: userName, type: "work" }],
    displayName: `${given} ${family}`,
    locale: "en-US",
    externalId: `00u${Math.random().toString(36).slice(2, 12)}`,
    groups: [],
    password: "1mP0ssible!",
    active: true,
    ...extra,
  };
}

export function patchOf(...operations: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [PATCH_URN], Operations: operations };
}

/** One field of every entry of a SCIM list (`Resources`, `members`, `emails`). */
export function pluck(list: unknown, key: string): unknown[] {
  return (list as Record<string, unknown>[]).map((entry) => entry[key]);
}
