#!/usr/bin/env node
// Runs before `npm start`, `npm test` and `npm run bench` (their pre-scripts), so each works alone on a fresh
// clone. Nothing from node_modules exists yet when it runs, hence plain Node and no imports beyond node:.
// It installs with `npm ci` when node_modules is missing or older than package-lock.json, and otherwise
// does nothing and prints nothing. npm writes node_modules/.package-lock.json at the end of every install,
// so its modification time is when node_modules last matched a lock file.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lockFile = join(root, "package-lock.json");
const installedLock = join(root, "node_modules", ".package-lock.json");

function modifiedAt(path) {
  try {
    return statSync(path).mtimeMs;
  } catch (error) {
    if (error.code === "ENOENT") return undefined;
    throw error;
  }
}

/** Why an install is needed, or undefined when node_modules already matches the lock file. */
function reasonToInstall() {
  const locked = modifiedAt(lockFile);
  if (locked === undefined) {
    console.error(`ensure-install: ${lockFile} is missing: restore it (git checkout package-lock.json)`);
    process.exit(1);
  }
  const installed = modifiedAt(installedLock);
  if (installed === undefined) return "node_modules is missing or was not installed by npm";
  if (installed < locked) return "package-lock.json changed since node_modules was installed";
  return undefined;
}

const reason = reasonToInstall();
if (reason !== undefined) {
  console.error(`ensure-install: ${reason}; running npm ci`);
  // Inside an npm script, npm_execpath is the npm that runs us: use the same one rather than whatever
  // `npm` is first on PATH.
  const npmCli = process.env.npm_execpath;
  const [command, args] =
    npmCli !== undefined && npmCli.endsWith(".js")
      ? [process.execPath, [npmCli, "ci", "--no-audit", "--no-fund"]]
      : ["npm", ["ci", "--no-audit", "--no-fund"]];
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.error !== undefined) {
    console.error(`ensure-install: could not run npm: ${result.error.message}; is npm on PATH?`);
    process.exit(1);
  }
  if (result.status !== 0) {
    console.error(
      `ensure-install: npm ci failed (exit ${result.status ?? result.signal}); fix what npm reports above ` +
        "(the registry must be reachable, and package-lock.json must match package.json), then run again",
    );
    process.exit(1);
  }
}
