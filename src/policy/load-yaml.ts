import { parseYamlFast } from "./load-yaml-fast.js";
import { parseYamlDocument } from "./load-yaml-parse.js";
import type { ParsedYaml } from "./load-yaml-tree.js";

/**
 * Parses one policy file into the position-carrying tree the schema reads: the fast path for plain block
 * YAML, the full `yaml` parser for everything else (and for every syntax error, so messages are its own).
 */
export function parseYaml(text: string): ParsedYaml {
  return parseYamlFast(text) ?? parseYamlDocument(text);
}
