import { parseYamlFast } from "./load-yaml-fast.js";
import { parseYamlDocument } from "./load-yaml-parse.js";
import type { ParsedYaml } from "./load-yaml-tree.js";

/**
 * Parses one policy file into the position-carrying tree the schema reads: the fast path for plain block
 * YAML, the full `yaml` parser for everything else (and for every syntax error, so messages are its own).
 * Never throws: loading reports every file's problems rather than stopping at one.
 */
export function parseYaml(text: string): ParsedYaml {
  let fast: ParsedYaml | undefined;
  try {
    fast = parseYamlFast(text);
  } catch {
    fast = undefined;
  }
  if (fast !== undefined) return fast;
  try {
    return parseYamlDocument(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      root: undefined,
      problems: [
        {
          severity: "error",
          offset: 0,
          message: `this file cannot be parsed (${reason}); simplify its structure`,
        },
      ],
    };
  }
}
