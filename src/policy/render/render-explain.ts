import type { Provenance } from "../model/effective-access.js";
import type { PersonExplanation, ReachingBinding, TargetExplanation } from "../explain/explain.js";
import type { PolicyTargets } from "../targets/policy-targets.js";
import type { AnyTargetPolicy, TargetGrant } from "../targets/target-policy.js";
import { describeProvenance, where } from "./render-access-diff-lines.js";

/**
 * `explain` output: a person's access per target and, under each grant, the binding → role → file:line.
 * Each target describes its own grants; sections follow the order of `targets`.
 */
export function renderExplanation(
  explanation: PersonExplanation,
  format: "text" | "markdown" | "json",
  targets: PolicyTargets,
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(explanationJson(explanation), null, 2)}\n`;
    case "markdown":
      return renderMarkdown(explanation, targets.parts);
    case "text":
      return renderText(explanation, targets.parts);
  }
}

/** The JSON shape of policy format v1's `explain`: one key per target, then `retired` by target, then `at`. */
function explanationJson(explanation: PersonExplanation): Record<string, unknown> {
  const { targets, retired, at, ...person } = explanation;
  return { ...person, ...Object.fromEntries(targets), retired: Object.fromEntries(retired), at };
}

type Explained = TargetExplanation<TargetGrant>;

function explainedOn(explanation: PersonExplanation, target: AnyTargetPolicy): Explained {
  return (explanation.targets.get(target.name) ?? { grants: [] }) as Explained;
}

function headline(explanation: PersonExplanation): string {
  const name =
    explanation.displayName === undefined
      ? explanation.userName
      : `${explanation.userName} (${explanation.displayName})`;
  const status =
    explanation.status === "active"
      ? "active"
      : explanation.status === "deleted"
        ? `deleted ${explanation.deleted ?? ""} (tombstone): no access`.replace("  ", " ")
        : "inactive: no access";
  return `${name}: ${status}`;
}

function facts(explanation: PersonExplanation): string[] {
  const lines = [`SCIM id ${explanation.id}, ${where(explanation.at)}`];
  if (explanation.matchedFormerUserName !== undefined) {
    lines.push(`"${explanation.matchedFormerUserName}" is a former userName of this person`);
  }
  if (explanation.formerUserNames.length > 0)
    lines.push(`Formerly: ${explanation.formerUserNames.join(", ")}`);
  lines.push(`Groups: ${explanation.groups.length === 0 ? "none" : explanation.groups.join(", ")}`);
  return lines;
}

function describeBinding(binding: ReachingBinding): string {
  const expiry = binding.expires === undefined ? "" : ` (expires ${binding.expires})`;
  const state =
    binding.state === "expired"
      ? ": expired, gives nothing"
      : binding.state === "missing-roles"
        ? `: role ${binding.missingRoles.join(", ")} does not exist`
        : "";
  return `${binding.subject} → ${binding.roles.join(", ")}${expiry}${state}  ${where(binding.at)}`;
}

function targetText<G extends { because: readonly Provenance[] }>(
  title: string,
  target: TargetExplanation<G>,
  describe: (grant: G) => string[],
): string[] {
  const heading = target.principal === undefined ? `${title}:` : `${title} as ${target.principal}:`;
  const lines = [heading];
  if (target.note !== undefined) lines.push(`  ${target.note}`);
  else if (target.grants.length === 0) lines.push("  nothing");
  for (const grant of target.grants) {
    const [first, ...rest] = describe(grant);
    lines.push(`  ${first ?? ""}`, ...rest.map((line) => `    ${line}`));
    for (const because of grant.because) lines.push(`      because ${describeProvenance(because)}`);
  }
  return lines;
}

function renderText(explanation: PersonExplanation, targets: readonly AnyTargetPolicy[]): string {
  const lines = [headline(explanation), ...facts(explanation).map((line) => `  ${line}`), "", "Bindings:"];
  if (explanation.bindings.length === 0) lines.push("  none reach this person");
  for (const binding of explanation.bindings) lines.push(`  ${describeBinding(binding)}`);
  for (const target of targets) {
    lines.push(
      "",
      ...targetText(target.title, explainedOn(explanation, target), (grant) => [
        ...target.describeGrant(grant),
      ]),
    );
  }
  const retired = targets.flatMap((target) =>
    (explanation.retired.get(target.name) ?? []).map((principal) => `${target.name} ${principal}`),
  );
  if (retired.length > 0) lines.push("", `Revoked on apply: ${retired.join(", ")}`);
  return `${lines.join("\n")}\n`;
}

function renderMarkdown(explanation: PersonExplanation, targets: readonly AnyTargetPolicy[]): string {
  const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/`/g, "'");
  const lines = [
    `### ${cell(headline(explanation))}`,
    "",
    ...facts(explanation).map((line) => `- ${cell(line)}`),
  ];
  lines.push("", "| Target | Principal | Access | Because |", "|---|---|---|---|");
  const row = (
    target: string,
    principal: string | undefined,
    access: string,
    because: readonly Provenance[],
  ) =>
    `| ${target} | ${principal === undefined ? "—" : `\`${cell(principal)}\``} | ${cell(access)} | ${because
      .map((b) => cell(describeProvenance(b)))
      .join("<br>")} |`;
  const add = <G extends { because: readonly Provenance[] }>(
    name: string,
    target: TargetExplanation<G>,
    describe: (grant: G) => string,
  ) => {
    if (target.grants.length === 0) lines.push(row(name, target.principal, target.note ?? "nothing", []));
    for (const grant of target.grants)
      lines.push(row(name, target.principal, describe(grant), grant.because));
  };
  for (const target of targets) {
    add(target.title, explainedOn(explanation, target), (grant) => target.describeGrant(grant).join("; "));
  }
  if (explanation.bindings.length > 0) {
    lines.push(
      "",
      "Bindings:",
      ...explanation.bindings.map((binding) => `- ${cell(describeBinding(binding))}`),
    );
  }
  return `${lines.join("\n")}\n`;
}
