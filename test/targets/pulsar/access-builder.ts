import type { EffectiveAccess, Person, PrincipalAccess } from "../../../src/policy/model/effective-access.js";
import type { Settings } from "../../../src/policy/model/model.js";
import type {
  PulsarGrant,
  PulsarResource,
  PulsarSettings,
} from "../../../src/targets/pulsar/policy/pulsar-model.js";
import { PULSAR_SETTINGS, settings } from "../../policy/builders.js";

/** In-memory builders for the pure core's inputs (STYLE habit 9: no mocks). */

/** policy/builders' settings with Pulsar only, so a plan for one target is all a test sees. */
export function pulsarSettings(overrides: Partial<PulsarSettings> = {}): Settings {
  return settings({ pulsar: { ...PULSAR_SETTINGS, ...overrides }, nats: undefined });
}

export interface PersonSpec {
  readonly userName: string;
  readonly active?: boolean;
  readonly deleted?: string;
  /** `ns:acme/payments=produce,consume`, `topic:persistent://acme/payments/ledger=consume`, `tenant:acme`. */
  readonly grants?: readonly string[];
}

export function accessOf(
  people: readonly PersonSpec[],
  extraRetired: readonly string[] = [],
): EffectiveAccess {
  const byId = new Map<string, Person>();
  const pulsar = new Map<string, PrincipalAccess<PulsarGrant>>();
  const retired = new Set<string>(extraRetired);
  for (const [index, spec] of people.entries()) {
    const id = `id-${index}`;
    const active = spec.active ?? true;
    byId.set(id, {
      id,
      userName: spec.userName,
      active,
      ...(spec.deleted === undefined ? {} : { deleted: spec.deleted }),
      principals: { pulsar: spec.userName, nats: spec.userName },
    });
    if (!active || spec.deleted !== undefined) {
      retired.add(spec.userName);
      continue;
    }
    const grants = (spec.grants ?? []).map(parseGrant);
    if (grants.length > 0) pulsar.set(spec.userName, { personId: id, grants });
  }
  return {
    people: byId,
    targets: new Map([
      ["pulsar", { principals: new Map([...pulsar].sort(([a], [b]) => a.localeCompare(b))), retired }],
      ["nats", { principals: new Map(), retired: new Set() }],
    ]),
  };
}

function parseGrant(text: string): PulsarGrant {
  const [kindAndName = "", actionList = ""] = text.split("=");
  const colon = kindAndName.indexOf(":");
  const kind = kindAndName.slice(0, colon);
  const name = kindAndName.slice(colon + 1);
  const resource: PulsarResource =
    kind === "ns"
      ? { kind: "namespace", name }
      : kind === "topic"
        ? { kind: "topic", name }
        : { kind: "tenant", name };
  const actions = actionList === "" ? [] : (actionList.split(",").sort() as PulsarGrant["actions"]);
  const at = { file: "access/team.yaml", line: 3, col: 7 };
  return {
    resource,
    actions,
    because: [{ subject: "group:engineers", binding: at, role: "writer", roleEntry: at }],
  };
}
