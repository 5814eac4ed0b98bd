import type { FileReport } from "../load/load-diagnostics.js";
import type { DecoderOutput } from "../schema/decoder.js";
import type { settingsSchema } from "../schema/settings.js";

/**
 * A single namespace listed under `pulsar.manage.namespaces` whose tenant is already managed as a whole
 * changes nothing; removing the tenant later would silently keep the namespace managed. A warning.
 */
export function checkManagedNamespaces(
  settings: DecoderOutput<typeof settingsSchema>,
  report: FileReport,
): void {
  const tenants = new Set(settings.pulsar?.manage?.tenants ?? []);
  for (const namespace of settings.pulsar?.manage?.namespaces ?? []) {
    const tenant = namespace.value.split("/")[0] ?? "";
    if (tenants.has(tenant)) {
      report.warning(
        namespace.offset,
        `namespace ${namespace.value} is already managed through tenant ${tenant}; remove it from \`pulsar.manage.namespaces\``,
      );
    }
  }
}
