import { isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, Node as YamlNode } from "yaml";
import type { ParsedYaml, ScalarValue, YamlProblem, YEntry, YNode } from "./load-yaml-tree.js";

/**
 * Parses with the `yaml` package's Document API: complete YAML 1.2 (core schema) with its own syntax
 * errors. The general path; a faster one handles the plain shapes the bot writes.
 */
export function parseYamlDocument(text: string): ParsedYaml {
  const document = parseDocument(text, { keepSourceTokens: false, prettyErrors: false, uniqueKeys: true });
  const problems: YamlProblem[] = [
    ...document.errors.map((error) => ({
      severity: "error" as const,
      offset: error.pos[0],
      message: `${lowerFirst(error.message)}; fix the YAML syntax here`,
    })),
    ...document.warnings.map((warning) => ({
      severity: "warning" as const,
      offset: warning.pos[0],
      message: `${lowerFirst(warning.message)}; policy files use plain YAML without tags`,
    })),
  ];
  if (document.errors.length > 0) return { root: undefined, problems };
  const contents = document.contents;
  const root = contents === null ? undefined : toNode(contents, document, 0);
  return { root: isEmpty(root) ? undefined : root, problems };
}

function isEmpty(node: YNode | undefined): boolean {
  return node === undefined || (node.kind === "scalar" && node.value === null);
}

function toNode(node: YamlNode, document: Document, depth: number): YNode {
  const offset = node.range?.[0] ?? 0;
  if (isAlias(node)) {
    const target = depth < 50 ? node.resolve(document) : undefined;
    return target === undefined
      ? { kind: "scalar", value: null, offset }
      : { ...toNode(target, document, depth + 1), offset };
  }
  if (isMap(node)) {
    const entries: YEntry[] = [];
    for (const pair of node.items) {
      const key = pair.key as YamlNode | null;
      const keyOffset = key?.range?.[0] ?? offset;
      const keyText = key !== null && isScalar(key) ? String(key.value) : "";
      const value = pair.value as YamlNode | null;
      entries.push({
        key: keyText,
        keyOffset,
        value:
          value === null || (isScalar(value) && value.value === null && value.source === "")
            ? { kind: "scalar", value: null, offset: keyOffset }
            : toNode(value, document, depth + 1),
      });
    }
    return { kind: "map", entries, offset };
  }
  if (isSeq(node)) {
    return {
      kind: "seq",
      items: node.items.map((item) =>
        item === null
          ? { kind: "scalar", value: null, offset }
          : toNode(item as YamlNode, document, depth + 1),
      ),
      offset,
    };
  }
  const value: unknown = isScalar(node) ? node.value : null;
  return { kind: "scalar", value: toScalarValue(value), offset };
}

function toScalarValue(value: unknown): ScalarValue {
  if (
    value === null ||
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean"
  ) {
    return value;
  }
  return typeof value === "bigint" ? Number(value) : JSON.stringify(value);
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}
