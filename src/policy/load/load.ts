import { normalizeAccess } from "./load-access.js";
import type { BindingSource, RoleSource } from "./load-access.js";
import { FileReport, sortDiagnostics } from "./load-diagnostics.js";
import { classifyPolicyFile, displayPath } from "./load-files.js";
import { normalizeGroup, normalizeUser } from "./load-identities.js";
import { normalizeSettings } from "./load-settings.js";
import { parseYaml } from "../yaml/load-yaml.js";
import type { YamlProblem } from "../yaml/load-yaml-tree.js";
import type {
  Diagnostic,
  GroupIdentity,
  Policy,
  PolicyFiles,
  Role,
  Settings,
  UserIdentity,
} from "../model/model.js";
import { runPolicyRules } from "../rules/run-rules.js";
import { groupSchema, userSchema } from "../schema/identities.js";
import type { PolicyTargets } from "../targets/policy-targets.js";

export { formatDiagnostic, hasErrors } from "./load-diagnostics.js";

export interface LoadOptions {
  /** Display prefix for file paths in diagnostics and locations, e.g. `policies`. */
  readonly dir: string;
  /** Expired bindings are judged against this instant (UTC dates). */
  readonly now: Date;
  /** The targets roles and settings may name (the registry's, at the entry points). */
  readonly targets: PolicyTargets;
}

export interface LoadResult {
  readonly policy: Policy;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Loads policy format v1 (DESIGN §3): parse each file, check it against the schema, normalise it with the
 * defaults, then run the cross-file rules. Pure, and never throws on bad input: every problem becomes a
 * diagnostic with `file:line:col`, and the policy returned holds everything that could be understood.
 */
export function loadPolicy(files: PolicyFiles, options: LoadOptions): LoadResult {
  const { targets } = options;
  const diagnostics: Diagnostic[] = [];
  const roles: RoleSource[] = [];
  const bindings: BindingSource[] = [];
  const users: UserIdentity[] = [];
  const groups: GroupIdentity[] = [];
  let settings: Settings | undefined;
  let settingsReport: FileReport | undefined;

  for (const path of [...files.keys()].sort()) {
    const text = files.get(path) ?? "";
    const report = new FileReport(displayPath(options.dir, path), text, diagnostics);
    const kind = classifyPolicyFile(path);
    if (kind.kind === "settings" && settingsReport !== undefined) {
      report.error(0, `a second settings file beside ${settingsReport.file}; keep one of them`);
      continue;
    }
    if (kind.kind === "other") {
      report.warning(
        0,
        "this file is not part of the policy format and is ignored; move it under access/ or remove it",
      );
      continue;
    }
    const parsed = parseYaml(text);
    reportYamlProblems(parsed.problems, report);
    const root = parsed.root;
    if (root === undefined) {
      if (parsed.problems.length === 0 && kind.kind !== "access") {
        report.error(0, "the file is empty; restore its content or delete the file");
      }
      if (kind.kind === "settings") settingsReport = report;
      continue;
    }
    switch (kind.kind) {
      case "settings": {
        settingsReport = report;
        const decoded = targets.settingsSchema.decode(root, report, "settings.yaml");
        if (decoded !== undefined) {
          for (const target of targets.parts) {
            const section: unknown = decoded[target.name];
            if (section !== undefined) target.checkSettings?.(section, report);
          }
        }
        settings = normalizeSettings(decoded, report.at(root.offset), targets.parts);
        break;
      }
      case "access": {
        const access = targets.accessSchema.decode(root, report, "an access file");
        if (access === undefined) break;
        const loaded = normalizeAccess(access, report, targets.parts);
        roles.push(...loaded.roles);
        bindings.push(...loaded.bindings);
        break;
      }
      case "user": {
        const user = userSchema.decode(root, report, "a user file");
        const identity =
          user === undefined ? undefined : normalizeUser(user, kind.slug, report.at(root.offset));
        if (identity !== undefined) users.push(identity);
        break;
      }
      case "group": {
        const group = groupSchema.decode(root, report, "a group file");
        const identity =
          group === undefined ? undefined : normalizeGroup(group, kind.slug, report.at(root.offset));
        if (identity !== undefined) groups.push(identity);
        break;
      }
    }
  }

  if (settingsReport === undefined) {
    settingsReport = new FileReport(displayPath(options.dir, "settings.yaml"), "", diagnostics);
    settingsReport.error(0, "settings.yaml is missing; create it with `version: 1` and the managed scope");
  }
  const policy: Policy = {
    targets,
    settings: settings ?? normalizeSettings(undefined, settingsReport.at(0), targets.parts),
    roles: firstRoleByName(roles),
    bindings: bindings.map((source) => source.binding),
    users,
    groups,
  };
  runPolicyRules({ policy, roles, bindings, diagnostics, now: options.now });
  return { policy, diagnostics: sortDiagnostics(diagnostics) };
}

/** Syntax errors cascade; the first few, each once, say what to fix. */
const MAX_YAML_PROBLEMS = 5;

function reportYamlProblems(problems: readonly YamlProblem[], report: FileReport): void {
  const seen = new Set<string>();
  let lastOffset = 0;
  for (const problem of problems) {
    const key = `${problem.offset}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (seen.size > MAX_YAML_PROBLEMS) {
      report.error(lastOffset, "more YAML errors follow; fix the ones above first and validate again");
      return;
    }
    report.report(problem.severity, problem.offset, problem.message);
    lastOffset = Math.max(lastOffset, problem.offset);
  }
}

function firstRoleByName(sources: readonly RoleSource[]): Map<string, Role> {
  const roles = new Map<string, Role>();
  for (const source of sources) if (!roles.has(source.role.name)) roles.set(source.role.name, source.role);
  return roles;
}
