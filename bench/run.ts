/**
 * `npm run bench [-- NAME…]`: runs every `bench/*.bench.ts` (or those whose file name contains a NAME) one
 * after another, so their figures are not skewed by each other. Each prints its own figures.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

interface BenchModule {
  run(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith(".bench.ts"))
  .filter((name) => wanted.length === 0 || wanted.some((word) => name.includes(word)))
  .sort();

if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(", ")}`);
  process.exitCode = 1;
}
for (const file of files) {
  console.log(`\n=== ${file.replace(/\.bench\.ts$/, "")} ===`);
  const module = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  await module.run();
}
