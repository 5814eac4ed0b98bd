import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { formatOption, parseFormat, type Command } from "../command.js";
import { EXIT_CHANGES, EXIT_OK, UsageError } from "../errors.js";
import { loadPolicyDir } from "../load-policy-dir.js";
import { hasErrors } from "../../policy/load/load.js";
import { planExpiryEdit } from "../../policy/expiry/plan-expiry-edit.js";
import { renderExpiry } from "../../policy/render/render-expiry.js";

export const expireCommand: Command = {
  name: "expire",
  summary: "Remove bindings past their `expires:` date from the access files",
  help: `Usage: scim-gitops expire [--policies DIR] [--now ISO] [--warn-days N] [--write]
                          [--format text|markdown|json]

Lists the bindings in access/*.yaml whose \`expires:\` day has passed (UTC; such a binding already grants
nothing) and, with --write, removes them from the files in place, together with the comment lines right
above each; every other line, comment and blank line stays as it was. Bindings whose last day is within
the warning window are listed too, and left alone. No cluster is contacted. The scheduled policy-expire
workflow runs this and proposes the removal as a pull request (branch scim-gitops/expire).

Options:
  --policies DIR    the policy directory (default: policies)
  --now ISO         judge expiry at this instant instead of now, e.g. 2027-07-01 or 2027-07-01T00:00:00Z
  --warn-days N     the warning window in days (default: settings expiry.warnWithinDays, else 14)
  --write           edit the files in place
  --format FORMAT   text (default), markdown (for a PR body) or json (for tools)

Exit codes: 0 nothing has expired, 2 bindings have expired (removed with --write), 1 error.
`,
  options: {
    ...formatOption,
    policies: { type: "string" },
    now: { type: "string" },
    "warn-days": { type: "string" },
    write: { type: "boolean", default: false },
  },
  async run({ values }, context) {
    const format = parseFormat(values.format);
    const now = parseNow(values.now as string | undefined) ?? context.now();
    const loaded = await loadPolicyDir(context, values.policies as string | undefined, now);
    if (loaded.files.size === 0) {
      throw new UsageError(
        `${loaded.display} holds no .yaml files: pass the policy directory with --policies DIR`,
      );
    }
    if (hasErrors(loaded.diagnostics)) {
      context.stderr.write(
        `note: ${loaded.display} has policy errors; run scim-gitops validate (expired bindings are still found)\n`,
      );
    }
    const warnWithinDays =
      parseDays(values["warn-days"] as string | undefined) ?? loaded.policy.settings.expiry.warnWithinDays;
    const edit = planExpiryEdit(loaded.files, { dir: loaded.display, now, warnWithinDays });
    const write = values.write === true;
    if (write) {
      const root = resolve(context.cwd, loaded.display);
      for (const [path, text] of edit.changes) await writeFile(join(root, path), text);
    }
    context.stdout.write(renderExpiry({ edit, written: write, dir: loaded.display }, format));
    return edit.expired.length > 0 ? EXIT_CHANGES : EXIT_OK;
  },
};

function parseNow(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--now ${value} is not a date: use YYYY-MM-DD or an ISO time such as 2027-07-01T00:00:00Z`,
    );
  }
  return date;
}

function parseDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`--warn-days ${value} must be a whole number of days, e.g. 14`);
  return Number(value);
}
