import { parseYamlDocument } from "./load-yaml-parse.js";
import type { ParsedYaml } from "./load-yaml-tree.js";

/** Parses one policy file into the position-carrying tree the schema reads. */
export function parseYaml(text: string): ParsedYaml {
  return parseYamlDocument(text);
}
