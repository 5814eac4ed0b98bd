/**
 * Validates a PatchOp message (RFC 7644 §3.5.2) as IdPs send it: ops in any case (Entra's `Replace`),
 * `remove` needs a path (400 noTarget), `add`/`replace` need a value (scimmy accepts a value-less replace,
 * defect 17).
 */
import { ScimError } from "./errors.js";
import { MAX_EXPRESSION_LENGTH } from "./expression-limits.js";
import { isObject } from "./normalise.js";

export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export interface PatchOperation {
  readonly op: "add" | "remove" | "replace";
  readonly path: string | undefined;
  readonly value: unknown;
  readonly index: number;
}

export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body))
    throw new ScimError(400, "A PATCH body must be a PatchOp JSON object", "invalidSyntax");
  const schemas = body.schemas;
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(PATCH_SCHEMA))) {
    throw new ScimError(400, `A PATCH body must list the schema "${PATCH_SCHEMA}"`, "invalidSyntax");
  }
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new ScimError(
      400,
      "A PATCH body needs an 'Operations' array with at least one operation",
      "invalidValue",
    );
  }
  return operations.map((operation: unknown, position): PatchOperation => {
    const index = position + 1;
    if (!isObject(operation))
      throw new ScimError(400, `Operation ${index} is not an object`, "invalidSyntax");
    const op = typeof operation.op === "string" ? operation.op.toLowerCase() : "";
    if (op !== "add" && op !== "remove" && op !== "replace") {
      throw new ScimError(
        400,
        `Operation ${index} has op '${String(operation.op)}'; use add, remove or replace`,
        "invalidSyntax",
      );
    }
    const path = operation.path;
    if (path !== undefined && path !== null && (typeof path !== "string" || path.trim() === "")) {
      throw new ScimError(400, `Operation ${index} has an invalid path`, "invalidPath");
    }
    const cleanPath = typeof path === "string" ? path.trim() : undefined;
    if (cleanPath !== undefined && cleanPath.length > MAX_EXPRESSION_LENGTH) {
      throw new ScimError(
        400,
        `Operation ${index} has a path ${cleanPath.length} characters long; at most ${MAX_EXPRESSION_LENGTH} are accepted`,
        "invalidPath",
      );
    }
    if (op === "remove" && cleanPath === undefined) {
      throw new ScimError(
        400,
        `Operation ${index} is a remove without a 'path'; name what to remove`,
        "noTarget",
      );
    }
    if (op !== "remove" && !("value" in operation)) {
      throw new ScimError(400, `Operation ${index} is an ${op} without a 'value'`, "invalidValue");
    }
    if (op !== "remove" && cleanPath === undefined && !isObject(operation.value)) {
      throw new ScimError(
        400,
        `Operation ${index} has no path, so its value must be an object`,
        "invalidValue",
      );
    }
    return { op, path: cleanPath, value: operation.value, index };
  });
}
