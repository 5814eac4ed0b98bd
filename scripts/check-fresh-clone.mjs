#!/usr/bin/env node
// `npm run check:fresh-clone`: what a newcomer does, on a clone of HEAD in a temporary directory, with the
// real npm registry. Too slow for every `npm test` (a full npm ci), so it is a script of its own.
//   1. `npm start` alone installs, builds and serves: it must print its SCIM URL (then Ctrl-C, as a person would);
//   2. the install step run again does nothing and prints nothing;
//   3. `npx scim-gitops explain` works as the README shows, on the bundled policies and on the bot's repository.
// Pass --npm-test to also run `npm test` in the clone (the whole suite: minutes), --keep to keep the clone.
// Only committed work is checked: the clone is of HEAD.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const flags = new Set(process.argv.slice(2));
const START_TIMEOUT_MS = 300_000;

// A newcomer's shell: none of the npm script variables this script may run under, no GitHub App or SCIM
// settings that would change what `serve` does, and any free port.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) =>
      !name.startsWith("npm_") &&
      !["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "SCIM_TOKEN", "SCIM_TOKEN_FILE", "PORT"].includes(name),
  ),
);
env.PORT = "0";

const failures = [];
function check(condition, what) {
  console.log(`${condition ? "ok  " : "FAIL"}  ${what}`);
  if (!condition) failures.push(what);
}

function run(command, args, cwd) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8" });
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** Runs `npm start` until it prints the SCIM URL on a line of its own, then interrupts it like Ctrl-C. */
function startUntilListening(cwd) {
  return new Promise((resolve) => {
    const started = performance.now();
    // Its own process group, so the interrupt reaches npm, sh and node as a terminal's Ctrl-C does.
    const child = spawn("npm", ["start"], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let url;
    const interrupt = () => {
      try {
        process.kill(-child.pid, "SIGINT");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(interrupt, START_TIMEOUT_MS);
    const watch = (chunk) => {
      output += chunk.toString("utf8");
      const match = /^(http:\/\/\S+\/scim\/v2)$/m.exec(output);
      if (match !== null && url === undefined) {
        url = { value: match[1], seconds: (performance.now() - started) / 1000 };
        interrupt();
      }
    };
    child.stdout.on("data", watch);
    child.stderr.on("data", watch);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ url, output, code, signal });
    });
  });
}

const dirty = spawnSync("git", ["status", "--porcelain"], { cwd: root, encoding: "utf8" }).stdout.trim();
if (dirty !== "") console.log("note: uncommitted changes are not checked: the clone is of HEAD");
const clone = mkdtempSync(join(tmpdir(), "scim-gitops-fresh-clone-"));
try {
  const cloned = run("git", ["clone", "-q", root, clone], root);
  if (cloned.status !== 0) throw new Error(`git clone ${root} failed: ${cloned.stderr}`);
  console.log(`fresh clone of HEAD in ${clone}`);

  const start = await startUntilListening(clone);
  check(
    start.url !== undefined,
    start.url === undefined
      ? `npm start printed no SCIM URL (exit ${start.code ?? start.signal}):\n${start.output}`
      : `npm start installed, built and printed ${start.url.value} after ${start.url.seconds.toFixed(1)} s`,
  );
  check(existsSync(join(clone, "node_modules/.package-lock.json")), "npm start installed node_modules");
  check(
    start.code === 0 || start.signal === "SIGINT",
    `npm start stopped on Ctrl-C (${start.signal ?? `exit ${start.code}`})`,
  );

  const again = run(process.execPath, ["scripts/ensure-install.mjs"], clone);
  check(
    again.status === 0 && again.stdout === "" && again.stderr === "",
    `the install step run again did nothing (${again.seconds.toFixed(2)} s)${again.stderr === "" ? "" : `:\n${again.stderr}`}`,
  );

  const bundled = run("npx", ["scim-gitops", "explain", "alice@example.com"], clone);
  check(bundled.status === 0, `npx scim-gitops explain alice@example.com: exit ${bundled.status}`);
  const embedded = run(
    "npx",
    ["scim-gitops", "explain", "alice@example.com", "--repo", ".scim-gitops/policy-repo", "--rev", "main"],
    clone,
  );
  check(
    embedded.status === 0,
    `npx scim-gitops explain alice@example.com --repo .scim-gitops/policy-repo --rev main: exit ${embedded.status}`,
  );
  const unknown = run("npx", ["scim-gitops", "explain", "zoe@example.com"], clone);
  check(
    unknown.status === 1 && unknown.stderr.includes("--repo .scim-gitops/policy-repo --rev main"),
    "npx scim-gitops explain zoe@example.com names --repo .scim-gitops/policy-repo --rev main",
  );

  if (flags.has("--npm-test")) {
    const test = run("npm", ["test"], clone);
    check(
      test.status === 0,
      `npm test on the fresh clone: exit ${test.status} after ${test.seconds.toFixed(0)} s` +
        (test.status === 0 ? "" : `\n${test.stdout.slice(-4000)}\n${test.stderr.slice(-4000)}`),
    );
  }
} finally {
  if (flags.has("--keep")) console.log(`kept ${clone}`);
  else rmSync(clone, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
