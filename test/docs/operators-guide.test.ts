/**
 * docs/operators-guide.md against the things it describes, each taken from its source rather than
 * written twice: the IdP fields from the SCIM reference, the metrics from what metrics.ts renders, the
 * health problems from health.ts, the App's permissions and events from app.yml, the environment from
 * config.ts and the workflows' variables and secrets from the scaffolded workflows.
 */
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { buildHealthReport } from "../../src/server/health.js";
import { ServiceMetrics } from "../../src/server/metrics.js";
import type { LedgerHealth } from "../../src/ledger/journal-ledger-contract.js";
import type { ProposerState } from "../../src/proposals/proposer-state.js";

const GUIDE = "docs/operators-guide.md";
const REFERENCE = resolve("../shared/reference/scim-idp-behaviour.md");
const REFERENCE_COPY = "test/fixtures/reference/scim-idp-behaviour-idps.md";

let guide: string;
beforeAll(async () => {
  guide = await readFile(GUIDE, "utf8");
});

/** The text under a `### NAME…` heading, up to the next heading of that level or above. */
function section(markdown: string, name: string): string {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`### ${name}`));
  if (start === -1) return "";
  const end = lines.findIndex((line, index) => index > start && /^#{1,3} /.test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end).join("\n");
}

/**
 * What the reference names that an administrator sets or presses in the IdP's console: multi-word
 * Title Case names (Test Connection), "<something> URL" fields, `?flags` for a URL, and the choices of an
 * **Auth.** line that lists them (OAuth authorization code, Basic or header token).
 */
export function consoleTerms(referenceSection: string, idp: string): string[] {
  const text = referenceSection.replace(/\(([^()]*)\)/g, " ");
  const terms = new Set<string>();
  for (const match of text.matchAll(/\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b/g)) {
    if (!match[0].startsWith(idp.split(" ")[0] ?? idp)) terms.add(match[0]);
  }
  for (const match of text.matchAll(/\b([a-z]+ URL)\b/g)) terms.add(match[1]!);
  for (const match of text.matchAll(/`\?([A-Za-z0-9]+)`/g)) terms.add(match[1]!);
  const auth = /\*\*Auth\.\*\* ([^;.]+);/.exec(text);
  for (const choice of auth?.[1]?.split(/, | or /) ?? []) terms.add(choice.trim());
  return [...terms].sort();
}

function missingFrom(text: string, terms: readonly string[]): string[] {
  // A line wrap inside a term is not a missing term.
  const flat = text.replace(/\s+/g, " ").toLowerCase();
  return terms.filter((term) => !flat.includes(term.toLowerCase()));
}

describe("the operator's guide", () => {
  it("is linked from the README, and its own links lead to files that exist", async () => {
    expect(await readFile("README.md", "utf8")).toContain("(docs/operators-guide.md)");
    for (const match of guide.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)) {
      const target = match[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      expect(existsSync(resolve(dirname(GUIDE), target)), target).toBe(true);
    }
    for (const match of guide.matchAll(/`(deploy\/[^`\s]+)`/g))
      expect(existsSync(match[1]!), match[1]).toBe(true);
  });

  describe("Okta and Entra provisioning", () => {
    let reference: string;
    beforeAll(async () => {
      reference = await readFile(REFERENCE_COPY, "utf8");
    });

    it.runIf(existsSync(REFERENCE))("works from an up-to-date copy of the reference", async () => {
      const live = await readFile(REFERENCE, "utf8");
      const start = live.indexOf("### Okta");
      expect(live.slice(start, live.indexOf("### Google", start))).toBe(reference);
    });

    it.each([
      ["Okta", "Okta"],
      ["Microsoft Entra ID", "Microsoft Entra ID"],
    ])("names every %s field the reference names", (referenceName, guideName) => {
      const terms = consoleTerms(section(reference, referenceName), referenceName);
      expect(terms.length).toBeGreaterThan(2);
      expect(missingFrom(section(guide, guideName), terms)).toEqual([]);
    });

    it("finds the fields an administrator needs, so a passing check means something", () => {
      expect(consoleTerms(section(reference, "Microsoft Entra ID"), "Microsoft Entra ID")).toEqual(
        expect.arrayContaining(["Secret Token", "Test Connection", "aadOptscim062020", "tenant URL"]),
      );
      expect(consoleTerms(section(reference, "Okta"), "Okta")).toEqual(
        expect.arrayContaining(["base URL", "header token"]),
      );
      expect(missingFrom("Paste the Secret Token.", ["Secret Token", "Test Connection"])).toEqual([
        "Test Connection",
      ]);
    });

    it.each(["Okta", "Microsoft Entra ID"])(
      "quotes as a console label (in bold) only what the reference supports, in the %s steps",
      (name) => {
        const referenceText = section(reference, name).toLowerCase();
        const labels = [...section(guide, name).matchAll(/\*\*([^*]+)\*\*/g)].map((match) => match[1]!);
        expect(labels.filter((label) => !referenceText.includes(label.toLowerCase()))).toEqual([]);
      },
    );
  });

  it("lists every metric /metrics renders", () => {
    const ledger: LedgerHealth = {
      ok: true,
      lastSeq: 1,
      users: 1,
      groups: 1,
      pendingWrites: 0,
      journalBytes: 1,
      fsyncs: 1,
      compactions: 0,
    };
    const proposer = {
      pendingChanges: 0,
      flushes: 0,
      flushFailures: 0,
      syncCommits: 0,
      syncPendingFiles: 0,
      mainMoves: 0,
      emergencies: {
        queued: 0,
        retrying: 0,
        oldestQueuedMs: 0,
        merged: 0,
        mergedCases: 0,
        held: 0,
        unmerged: 0,
        refused: 0,
        skipped: 0,
        failed: 0,
      },
    } as unknown as ProposerState;
    const text = new ServiceMetrics().render(ledger, proposer, { runs: 0, failures: 0 });
    const names = [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!);
    expect(names.length).toBeGreaterThan(15);
    expect(names.filter((name) => !guide.includes(`\`${name}\``))).toEqual([]);
  });

  it("explains every problem /healthz reports", () => {
    const report = buildHealthReport({
      ledger: {
        ok: false,
        lastSeq: 0,
        users: 0,
        groups: 0,
        pendingWrites: 0,
        journalBytes: 0,
        fsyncs: 0,
        compactions: 0,
      },
      repository: { ok: false, location: "x" },
      proposer: { lastError: "boom", emergencies: {} } as unknown as ProposerState,
      shuttingDown: true,
    });
    const problems = (report.body.problems as string[] | undefined) ?? [];
    expect(problems.length).toBe(4);
    expect(problems.filter((problem) => !guide.includes(`"${problem}"`))).toEqual([]);
  });

  it("names the App's permissions and events from app.yml", async () => {
    const app = parse(await readFile("app.yml", "utf8")) as {
      default_events: string[];
      default_permissions: Record<string, string>;
    };
    const section2 = guide.slice(guide.indexOf("## 2."), guide.indexOf("## 3."));
    for (const event of app.default_events) expect(section2).toContain(`\`${event}\``);
    for (const [permission, access] of Object.entries(app.default_permissions)) {
      expect(section2).toMatch(new RegExp(`\\| \`${permission}\` +\\| ${access} +\\|`));
    }
  });

  it("names every environment variable the configuration reads", async () => {
    // config.ts reads the environment; GitHub mode's part of it is config-github.ts.
    const config = (
      await Promise.all(["src/config.ts", "src/config-github.ts"].map((path) => readFile(path, "utf8")))
    ).join("\n");
    const names = new Set(
      [
        ...config.matchAll(
          /(?:get|secretFrom|secretFile|credsFile|portFrom)\("([A-Z0-9_]+)"(?:, "([A-Z0-9_]+)")?/g,
        ),
      ]
        .flatMap((match) => [match[1], match[2]])
        .filter((name): name is string => name !== undefined),
    );
    expect(names.size).toBeGreaterThan(20);
    expect([...names].filter((name) => !guide.includes(`\`${name}\``))).toEqual([]);
  });

  it("names every variable and secret the scaffolded workflows read", async () => {
    const names = new Set<string>();
    for (const file of await readdir("scaffold/workflows")) {
      const text = await readFile(join("scaffold/workflows", file), "utf8");
      for (const match of text.matchAll(/\b(?:vars|secrets)\.([A-Z0-9_]+)/g)) names.add(match[1]!);
    }
    expect(names.size).toBeGreaterThan(8);
    expect([...names].filter((name) => !guide.includes(`\`${name}\``))).toEqual([]);
  });
});
