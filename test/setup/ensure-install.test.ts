import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/ensure-install.mjs", import.meta.url));

// A project whose one dependency is a local folder, so the real `npm ci` runs without the registry.
const PACKAGE = { name: "fresh", version: "1.0.0", dependencies: { tiny: "file:./tiny" } };

interface Run {
  readonly code: number | null;
  readonly output: string;
}

let project: string;

function ensureInstall(): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(project, "scripts/ensure-install.mjs")], {
      cwd: project,
      env: { ...process.env, npm_config_update_notifier: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

async function installedAt(): Promise<number> {
  return (await stat(join(project, "node_modules/.package-lock.json"))).mtimeMs;
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "scim-gitops-ensure-install-"));
  await mkdir(join(project, "scripts"));
  await copyFile(SCRIPT, join(project, "scripts/ensure-install.mjs"));
  await mkdir(join(project, "tiny"));
  await writeFile(join(project, "tiny/package.json"), JSON.stringify({ name: "tiny", version: "1.0.0" }));
  await writeFile(join(project, "package.json"), JSON.stringify(PACKAGE));
  await writeFile(
    join(project, "package-lock.json"),
    JSON.stringify({
      name: "fresh",
      version: "1.0.0",
      lockfileVersion: 3,
      requires: true,
      packages: {
        "": PACKAGE,
        "node_modules/tiny": { resolved: "tiny", link: true },
        tiny: { version: "1.0.0" },
      },
    }),
  );
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

describe("scripts/ensure-install.mjs (the pre-step of npm start and npm test)", () => {
  it("installs with npm ci when node_modules is missing, then does nothing on the next run", async () => {
    const first = await ensureInstall();
    expect(first.code).toBe(0);
    expect(first.output).toContain("node_modules is missing or was not installed by npm; running npm ci");
    expect((await stat(join(project, "node_modules/tiny/package.json"))).isFile()).toBe(true);
    const installed = await installedAt();

    const second = await ensureInstall();
    expect(second).toEqual({ code: 0, output: "" });
    expect(await installedAt()).toBe(installed);
  });

  it("installs again when package-lock.json is newer than node_modules", async () => {
    expect((await ensureInstall()).code).toBe(0);
    // As after a `git pull` that brought a new lock file: the install predates it.
    const earlier = new Date(Date.now() - 60_000);
    await utimes(join(project, "node_modules/.package-lock.json"), earlier, earlier);

    const run = await ensureInstall();
    expect(run.code).toBe(0);
    expect(run.output).toContain(
      "package-lock.json changed since node_modules was installed; running npm ci",
    );
    expect(await installedAt()).toBeGreaterThan(earlier.getTime());
    expect(await ensureInstall()).toEqual({ code: 0, output: "" });
  });

  it("installs when node_modules exists but npm never finished an install into it", async () => {
    await rm(join(project, "node_modules"), { recursive: true, force: true });
    await mkdir(join(project, "node_modules/half-copied"), { recursive: true });

    const run = await ensureInstall();
    expect(run.code).toBe(0);
    expect(run.output).toContain("running npm ci");
    expect((await stat(join(project, "node_modules/tiny/package.json"))).isFile()).toBe(true);
  });

  it("exits 1 with what to fix when npm ci fails", async () => {
    const manifest = await readFile(join(project, "package.json"), "utf8");
    try {
      // npm ci refuses a package.json whose dependencies the lock file does not hold.
      await writeFile(
        join(project, "package.json"),
        JSON.stringify({ ...PACKAGE, dependencies: { ...PACKAGE.dependencies, other: "file:./other" } }),
      );
      await rm(join(project, "node_modules"), { recursive: true, force: true });

      const run = await ensureInstall();
      expect(run.code).toBe(1);
      expect(run.output).toContain("ensure-install: npm ci failed");
      expect(run.output).toContain("package-lock.json must match package.json");
    } finally {
      await writeFile(join(project, "package.json"), manifest);
    }
  });

  it("exits 1 naming the fix when package-lock.json is missing", async () => {
    const lock = await readFile(join(project, "package-lock.json"), "utf8");
    await rm(join(project, "package-lock.json"));
    try {
      const run = await ensureInstall();
      expect(run.code).toBe(1);
      expect(run.output).toContain(
        "package-lock.json is missing: restore it (git checkout package-lock.json)",
      );
    } finally {
      await writeFile(join(project, "package-lock.json"), lock);
    }
  });
});
