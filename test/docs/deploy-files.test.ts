/**
 * The process-manager files under deploy/: the systemd units pass `systemd-analyze verify` (and an offline
 * security review) where systemd is installed, and everywhere they and the Containerfile are parsed and
 * checked for what the operator's guide promises: hardening, a state directory for the ledger, restarts,
 * secrets from an environment file, and command lines the CLI accepts.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { removeDir } from "../plan/cli-fixture.js";

const UNITS = {
  serve: "deploy/systemd/scim-gitops.service",
  natsAuth: "deploy/systemd/scim-gitops-nats-auth@.service",
};
const CONTAINERFILE = "deploy/container/Containerfile";

type Unit = Map<string, Map<string, string[]>>;

/** systemd's INI dialect: sections, `Key=value` lines (repeatable), `#`/`;` comments. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header !== null) {
      section = new Map();
      unit.set(header[1]!, section);
      return;
    }
    const pair = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (pair === null || section === undefined) throw new Error(`line ${index + 1} is not Key=value: ${raw}`);
    section.set(pair[1]!, [...(section.get(pair[1]!) ?? []), pair[2]!]);
  });
  return unit;
}

/** The arguments after `dist/cli/main.js`, checked against the command's own option table. */
function acceptedByCli(argv: readonly string[]): void {
  const [name, ...rest] = argv;
  const command = COMMANDS.find((candidate) => candidate.name === name);
  expect(command, `a scim-gitops command: ${name}`).toBeDefined();
  parseArgs({ args: rest, options: command!.options, strict: true, allowPositionals: false });
}

function cliArgsOf(execStart: string): string[] {
  const words = execStart.split(/\s+/);
  const entry = words.findIndex((word) => word.endsWith("/dist/cli/main.js"));
  expect(entry).toBeGreaterThan(0);
  return words.slice(entry + 1).map((word) => word.replaceAll("%S", "/var/lib"));
}

describe("the systemd units", () => {
  it.each(Object.entries(UNITS))(
    "%s is hardened, restarts on failure and reads secrets from a file",
    async (_, path) => {
      const unit = parseUnit(await readFile(path, "utf8"));
      const service = unit.get("Service")!;
      const one = (key: string) => service.get(key)?.at(-1);
      expect(one("DynamicUser") === "yes" || one("User") !== undefined).toBe(true);
      expect(one("Restart")).toBe("on-failure");
      expect(one("ProtectSystem")).toBe("strict");
      expect(one("NoNewPrivileges")).toBe("yes");
      expect(one("PrivateTmp")).toBe("yes");
      expect(one("CapabilityBoundingSet")).toBe("");
      expect(service.get("EnvironmentFile")?.[0]).toMatch(/^\/etc\/scim-gitops\/.+\.env$/);
      expect(one("KillSignal")).toBe("SIGTERM");
      expect(unit.get("Install")?.get("WantedBy")).toEqual(["multi-user.target"]);
      // node itself, never npm, which does not pass SIGTERM on.
      expect(one("ExecStart")).toMatch(/^\/usr\/bin\/node \/opt\/scim-gitops\/dist\/cli\/main\.js /);
      acceptedByCli(cliArgsOf(one("ExecStart")!));
    },
  );

  it("keeps serve's ledger in its state directory", async () => {
    const service = parseUnit(await readFile(UNITS.serve, "utf8")).get("Service")!;
    expect(service.get("StateDirectory")).toEqual(["scim-gitops"]);
    const args = cliArgsOf(service.get("ExecStart")![0]!);
    expect(args.slice(0, 1)).toEqual(["serve"]);
    expect(args[args.indexOf("--data") + 1]).toBe("/var/lib/scim-gitops/data");
  });

  it("runs nats-auth as a template, one instance per %i, each with its own optional settings file", async () => {
    const service = parseUnit(await readFile(UNITS.natsAuth, "utf8")).get("Service")!;
    expect(cliArgsOf(service.get("ExecStart")![0]!)[0]).toBe("nats-auth");
    expect(service.get("EnvironmentFile")).toContain("-/etc/scim-gitops/nats-auth-%i.env");
  });

  it("rejects a unit that is not Key=value, so a clean parse means something", () => {
    expect(() => parseUnit("[Service]\nExecStart /usr/bin/node\n")).toThrow(/not Key=value/);
    expect(() => acceptedByCli(["serve", "--no-such-flag"])).toThrow();
  });

  const analyze = spawnSync("systemd-analyze", ["--version"]).status === 0;
  describe.runIf(analyze)("with systemd-analyze", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "scim-gitops-units-"));
      // verify checks that ExecStart's program exists; the node running this test stands in for /usr/bin/node.
      for (const [name, path] of [
        ["scim-gitops.service", UNITS.serve],
        ["scim-gitops-nats-auth@1.service", UNITS.natsAuth],
      ] as const) {
        const text = (await readFile(path, "utf8")).replaceAll("/usr/bin/node", process.execPath);
        await writeFile(join(dir, name), text);
      }
    });
    afterAll(() => (dir === undefined ? undefined : removeDir(dir)));

    it.each(["scim-gitops.service", "scim-gitops-nats-auth@1.service"])(
      "%s passes systemd-analyze verify without a warning",
      (name) => {
        const run = spawnSync("systemd-analyze", ["verify", join(dir, name)], { encoding: "utf8" });
        expect(run.status, run.stderr).toBe(0);
        // Unknown keys and bad values are only warnings to verify: none may appear.
        expect(run.stderr.split("\n").filter((line) => line.includes(name))).toEqual([]);
      },
    );

    it.each(["scim-gitops.service", "scim-gitops-nats-auth@1.service"])(
      "%s scores as well hardened in systemd-analyze security (exposure at most 2.5 of 10)",
      (name) => {
        const output = execFileSync(
          "systemd-analyze",
          ["security", "--offline=yes", "--threshold=25", join(dir, name)],
          {
            encoding: "utf8",
          },
        );
        // The threshold is in tenths of the exposure shown; above it the command exits non-zero.
        expect(output).toMatch(/Overall exposure level for .*: [0-2]\.\d/);
      },
    );

    it("catches a planted mistake, so a clean verify means something", async () => {
      const broken = join(dir, "broken.service");
      await writeFile(broken, "[Service]\nExecStart=/nonexistent/node\nRestart=sometimes\n");
      const run = spawnSync("systemd-analyze", ["verify", broken], { encoding: "utf8" });
      expect(`${run.status} ${run.stderr}`).toMatch(/broken\.service/);
    });
  });
});

describe("the Containerfile", () => {
  /** Instructions with their arguments, continuation lines joined. */
  async function instructions(): Promise<{ op: string; args: string }[]> {
    const text = (await readFile(CONTAINERFILE, "utf8")).replace(/\\\n\s*/g, " ");
    return text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => {
        const space = line.indexOf(" ");
        return { op: line.slice(0, space).toUpperCase(), args: line.slice(space + 1) };
      });
  }

  it("builds from sources that exist and runs what the build produces, as a non-root user", async () => {
    const steps = await instructions();
    for (const { op, args } of steps.filter(
      (step) => step.op === "COPY" && !step.args.startsWith("--from"),
    )) {
      const sources = args.split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(source), `${op} ${source}`).toBe(true);
    }
    expect(steps.filter((step) => step.op === "FROM").map((step) => step.args)).toEqual([
      expect.stringMatching(/^docker\.io\/library\/node:20-/),
      expect.stringMatching(/^docker\.io\/library\/node:20-/),
    ]);
    expect(steps.some((step) => step.op === "RUN" && step.args.includes("npm ci"))).toBe(true);
    const user = steps.filter((step) => step.op === "USER").at(-1)?.args ?? "root";
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const entrypoint = JSON.parse(steps.find((step) => step.op === "ENTRYPOINT")!.args) as string[];
    expect(entrypoint.at(-1)).toBe("/opt/scim-gitops/dist/cli/main.js");
    // dist/ is tsc's output of src/ (tsconfig.build.json: rootDir src, outDir dist).
    expect(existsSync("src/cli/main.ts")).toBe(true);
    const command = JSON.parse(steps.find((step) => step.op === "CMD")!.args) as string[];
    expect(command[0]).toBe("serve");
    acceptedByCli(command);
    expect(steps.find((step) => step.op === "VOLUME")?.args).toContain("/var/lib/scim-gitops");
    expect(command[command.indexOf("--data") + 1]).toMatch(/^\/var\/lib\/scim-gitops\//);
  });

  it("documents the nats-auth command line it is run with, and that line is one the CLI accepts", async () => {
    const text = await readFile(CONTAINERFILE, "utf8");
    const example = /podman run .* scim-gitops (nats-auth .*)$/m.exec(text);
    expect(example).not.toBeNull();
    acceptedByCli(example![1]!.split(" "));
  });
});
