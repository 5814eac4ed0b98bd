import { graphqlEnumValues, graphqlInputFields, graphqlMismatch } from "./fake-github-schemas.js";
import type { FakePull, FakeRepoState } from "./fake-github-state.js";
import { timestamp } from "./fake-github-state.js";
import type { ReplyBody } from "./fake-github.js";

const MUTATIONS = ["enablePullRequestAutoMerge", "disablePullRequestAutoMerge"] as const;
type Mutation = (typeof MUTATIONS)[number];

/** A selection set as nested field names: `{ pullRequest { number } }` → {pullRequest: {number: true}}. */
type Selection = { [field: string]: Selection | true };

function parseSelection(tokens: string[]): Selection {
  const selection: Selection = {};
  if (tokens.shift() !== "{") throw new Error("expected {");
  for (let token = tokens.shift(); token !== "}"; token = tokens.shift()) {
    if (token === undefined) throw new Error("unclosed {");
    if (tokens[0] === "{") selection[token] = parseSelection(tokens);
    else selection[token] = true;
  }
  return selection;
}

function pick(value: Record<string, unknown>, selection: Selection): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(selection).map(([field, inner]) => {
      const found = value[field];
      if (inner === true || found === null || found === undefined) return [field, found ?? null];
      return [field, pick(found as Record<string, unknown>, inner)];
    }),
  );
}

interface ParsedMutation {
  readonly name: Mutation;
  readonly input: Record<string, unknown>;
  readonly selection: Selection;
}

/** Reads `name(input: {key: $var | ENUM | "text", …}) { selection }`, the form GitHub clients send. */
function parseMutation(query: string, variables: Record<string, unknown>): ParsedMutation | string {
  const name = MUTATIONS.find((candidate) => new RegExp(`\\b${candidate}\\s*\\(`).test(query));
  if (name === undefined)
    return "this fake serves only enablePullRequestAutoMerge and disablePullRequestAutoMerge";
  const call = new RegExp(`\\b${name}\\s*\\(\\s*input\\s*:\\s*(\\$\\w+|\\{([^}]*)\\})\\s*\\)`).exec(query);
  if (call === null) return `${name} needs an input argument`;
  let input: Record<string, unknown>;
  if (call[1]?.startsWith("$") === true)
    input = (variables[call[1].slice(1)] ?? {}) as Record<string, unknown>;
  else {
    input = {};
    for (const pair of (call[2] ?? "").split(",").filter((part) => part.trim() !== "")) {
      const [key = "", raw = ""] = pair.split(":").map((part) => part.trim());
      input[key] = raw.startsWith("$")
        ? variables[raw.slice(1)]
        : raw.startsWith('"')
          ? (JSON.parse(raw) as unknown)
          : raw;
    }
  }
  const after = query.slice(call.index + call[0].length);
  const tokens = after.match(/[A-Za-z_]\w*|[{}]/g) ?? [];
  return { name, input, selection: parseSelection(tokens) };
}

/** GitHub's answer to an input its schema does not accept. */
function inputProblem(mutation: Mutation, input: Record<string, unknown>): string | undefined {
  const fields = graphqlInputFields(mutation);
  for (const key of Object.keys(input)) {
    if (!(key in fields)) return `InputObject '${mutation}Input' doesn't accept argument '${key}'`;
  }
  for (const [key, type] of Object.entries(fields)) {
    if (type.endsWith("!") && (input[key] === undefined || input[key] === null))
      return `Argument '${key}' on InputObject is required. Expected type ${type}`;
    const enumValues = graphqlEnumValues(type.replace(/!$/, ""));
    if (enumValues.length > 0 && input[key] !== undefined && !enumValues.includes(input[key] as string))
      return `Argument '${key}' on InputObject has an invalid value (${JSON.stringify(input[key])}). Expected type '${type}'.`;
  }
  return undefined;
}

const graphqlError = (mutation: string, type: string, message: string): ReplyBody => ({
  status: 200,
  body: {
    data: { [mutation]: null },
    errors: [{ type, path: [mutation], locations: [{ line: 2, column: 3 }], message }],
  },
});

/**
 * `POST /graphql` (`/api/graphql` on GHES) with the two auto-merge mutations, as GitHub answers them
 * (reference/github.md §4): 200 with `errors` of type UNPROCESSABLE when it refuses.
 */
export async function routeGraphql(
  state: FakeRepoState,
  body: unknown,
  mismatches: string[],
): Promise<ReplyBody> {
  const { query, variables } = (body ?? {}) as { query?: string; variables?: Record<string, unknown> };
  const parsed = parseMutation(query ?? "", variables ?? {});
  if (typeof parsed === "string") return { status: 200, body: { errors: [{ message: parsed }] } };
  const { name, input } = parsed;
  const problem = inputProblem(name, input);
  if (problem !== undefined) return { status: 200, body: { errors: [{ message: problem, path: [name] }] } };
  const id = String(input["pullRequestId"]);
  const number = Number(/^PullRequest:(\d+)$/.exec(Buffer.from(id, "base64").toString("utf8"))?.[1]);
  const pull = state.pulls.get(number);
  if (pull === undefined)
    return graphqlError(name, "NOT_FOUND", `Could not resolve to a node with the global id of '${id}'.`);
  if (name === "enablePullRequestAutoMerge") {
    const refused = await enableRefusal(state, pull, input);
    if (refused !== undefined) return graphqlError(name, "UNPROCESSABLE", refused);
    pull.autoMerge = {
      expectedHead: input["expectedHeadOid"] as string | undefined,
      headline:
        (input["commitHeadline"] as string | undefined) ??
        `Merge pull request #${pull.number} from ${pull.head}`,
      body: (input["commitBody"] as string | undefined) ?? "",
      enabledAt: timestamp(),
    };
  } else pull.autoMerge = undefined;
  const data = pick(
    {
      pullRequest: {
        id,
        number: pull.number,
        headRefOid: await state.headSha(pull),
        autoMergeRequest:
          pull.autoMerge === undefined
            ? null
            : {
                enabledAt: pull.autoMerge.enabledAt,
                mergeMethod: "MERGE",
                commitHeadline: pull.autoMerge.headline,
                commitBody: pull.autoMerge.body,
              },
      },
    },
    parsed.selection,
  );
  const mismatch = graphqlMismatch(name, data);
  if (mismatch !== undefined) mismatches.push(mismatch);
  return { status: 200, body: { data: { [name]: data } } };
}

async function enableRefusal(
  state: FakeRepoState,
  pull: FakePull,
  input: Record<string, unknown>,
): Promise<string | undefined> {
  if (!state.allowAutoMerge) return "Auto merge is not allowed for this repository";
  if (pull.state !== "open") return "Pull request is closed";
  if (input["mergeMethod"] !== undefined && input["mergeMethod"] !== "MERGE")
    return "Merge method is not allowed for this repository";
  const expected = input["expectedHeadOid"];
  // GitHub's exact words for this refusal are not documented; the port keys on "expected head oid".
  if (expected !== undefined && expected !== (await state.headSha(pull)))
    return "Expected head oid does not match the pull request's head oid";
  const merge = await state.mergeState(pull);
  if (merge.state === "clean" || merge.state === "unstable")
    return `Pull request is in ${merge.state} status`;
  return undefined;
}
