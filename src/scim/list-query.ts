/**
 * GET list and POST /.search: filter, sort and page the ledger's resources. Paging is ours, not scimmy's:
 * `startIndex` past the end gives an empty page (scimmy returns the first page, defect 2), integers stay
 * JSON numbers, and the order is the ledger's creation order unless `sortBy` is given.
 */
import type { IdentityLedger, ScimResource } from "../ledger/ledger.js";
import { resolveAttributePath, type ResolvedPath } from "./attribute-path.js";
import { ScimError } from "./errors.js";
import { matchesFilter, pinnedLookup } from "./filter-match.js";
import type { LookupIndex } from "./lookup-index.js";
import { parseFilter, type FilterNode } from "./filter-parse.js";
import { isObject, textOf } from "./normalise.js";
import type { ResourceSchema } from "./schemas.js";

export const MAX_RESULTS = 1000;

export interface ListQuery {
  readonly filter: string | undefined;
  readonly sortBy: string | undefined;
  readonly descending: boolean;
  readonly startIndex: number;
  readonly count: number;
}

export interface ListPage {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly resources: readonly ScimResource[];
}

function integer(value: unknown): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const number = typeof value === "number" ? value : Number(textOf(value).trim());
  if (!Number.isFinite(number)) {
    throw new ScimError(
      400,
      `"${textOf(value)}" is not a number; startIndex and count take integers`,
      "invalidValue",
    );
  }
  return Math.trunc(number);
}

/** From query parameters or a SearchRequest body; RFC 7644 §3.4.2.4 clamps rather than refuses. */
export function readListQuery(source: Record<string, unknown>): ListQuery {
  const text = (key: string): string | undefined => {
    const value = source[key];
    return typeof value === "string" && value.trim() !== "" ? value : undefined;
  };
  const startIndex = Math.max(1, integer(source.startIndex) ?? 1);
  const count = Math.min(MAX_RESULTS, Math.max(0, integer(source.count) ?? MAX_RESULTS));
  return {
    filter: text("filter"),
    sortBy: text("sortBy"),
    descending: text("sortOrder")?.toLowerCase() === "descending",
    startIndex,
    count,
  };
}

function sortKey(resource: ScimResource, path: ResolvedPath): string | number | undefined {
  const container = path.extension === undefined ? resource : resource[path.extension];
  if (!isObject(container)) return undefined;
  let value = container[path.attribute.name];
  if (Array.isArray(value)) {
    value = value.find((entry) => isObject(entry) && entry.primary === true) ?? value[0];
  }
  if (isObject(value)) value = value[path.sub?.name ?? "value"];
  if (typeof value === "number") return value;
  if (value === undefined || value === null) return undefined;
  const info = path.sub ?? path.attribute;
  return info.caseExact ? textOf(value) : textOf(value).toLowerCase();
}

function sorted(
  resources: readonly ScimResource[],
  schema: ResourceSchema,
  query: ListQuery,
): readonly ScimResource[] {
  if (query.sortBy === undefined) return resources;
  const path = resolveAttributePath(schema, query.sortBy);
  if (path === undefined) {
    throw new ScimError(400, `Cannot sort by unknown attribute "${query.sortBy}"`, "invalidValue");
  }
  const keyed = resources.map((resource) => ({ resource, key: sortKey(resource, path) }));
  const direction = query.descending ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.key === b.key) return 0;
    if (a.key === undefined) return 1;
    if (b.key === undefined) return -1;
    return (a.key < b.key ? -1 : 1) * direction;
  });
  return keyed.map((entry) => entry.resource);
}

function candidatesFor(
  ledger: IdentityLedger,
  lookups: LookupIndex,
  schema: ResourceSchema,
  filter: FilterNode,
): readonly (ScimResource | undefined)[] {
  const pinned = pinnedLookup(filter, schema.type === "User" ? "userName" : "displayName");
  if (pinned === undefined) return ledger.list(schema.type);
  if (pinned.by === "name") return [ledger.findByName(schema.type, pinned.value)];
  return lookups.find(schema.type, pinned.by, pinned.value);
}

export function listResources(
  ledger: IdentityLedger,
  lookups: LookupIndex,
  schema: ResourceSchema,
  query: ListQuery,
): ListPage {
  let matched: readonly ScimResource[];
  if (query.filter === undefined) {
    matched = ledger.list(schema.type);
  } else {
    const filter = parseFilter(schema, query.filter);
    const candidates = candidatesFor(ledger, lookups, schema, filter);
    matched = candidates.filter(
      (resource): resource is ScimResource => resource !== undefined && matchesFilter(filter, resource),
    );
  }
  const ordered = sorted(matched, schema, query);
  const start = query.startIndex - 1;
  return {
    totalResults: ordered.length,
    startIndex: query.startIndex,
    resources: ordered.slice(start, start + query.count),
  };
}
