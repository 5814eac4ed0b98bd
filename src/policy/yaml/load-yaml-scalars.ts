import type { ScalarValue } from "./load-yaml-tree.js";

const DASH = 45;
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** YAML 1.2 core schema resolution of a plain scalar, as the `yaml` package does it. */
export function resolvePlain(source: string): ScalarValue {
  const first = source.charCodeAt(0);
  const maybeSpecial =
    first < 65 ||
    first === 70 ||
    first === 78 ||
    first === 84 ||
    first === 102 ||
    first === 110 ||
    first === 116 ||
    first === 126;
  if (!maybeSpecial) return source;
  if (NULL.test(source)) return null;
  if (BOOL.test(source)) return source.charCodeAt(0) === 116 || source.charCodeAt(0) === 84;
  if (INT_OCT.test(source)) return parseInt(source.slice(2), 8);
  if (INT.test(source)) return parseInt(source, 10);
  if (INT_HEX.test(source)) return parseInt(source.slice(2), 16);
  if (FLOAT_NAN.test(source)) {
    if (source.endsWith("nan") || source.endsWith("NaN") || source.endsWith("NAN")) return NaN;
    return source.charCodeAt(0) === DASH ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (FLOAT.test(source)) return parseFloat(source);
  return source;
}
