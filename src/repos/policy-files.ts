import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/**
 * Reads a policy directory from disk into the map `loadPolicy` takes: every `.yaml`/`.yml` file, keyed by
 * its path relative to `dir` with `/` separators.
 */
export async function readPolicyDir(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  const texts = await Promise.all(paths.map((path) => readFile(path, "utf8")));
  return new Map(paths.map((path, index) => [relative(dir, path).split(sep).join("/"), texts[index] ?? ""]));
}
