import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/**
 * Reads a policy directory from disk into the map `loadPolicy` takes: every `.yaml`/`.yml` file, keyed by
 * its path relative to `dir` with `/` separators.
 *
 * Synchronous on purpose: eleven thousand small files read in a loop take a third of the time that as many
 * concurrent promises do (measured: 0.48 s against 1.2–2.3 s), and nothing else waits on this process.
 */
export function readPolicyDir(dir: string): Promise<Map<string, string>> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  const files = new Map<string, string>();
  for (const path of paths) files.set(relative(dir, path).split(sep).join("/"), readFileSync(path, "utf8"));
  return Promise.resolve(files);
}
