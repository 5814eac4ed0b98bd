import type { FileReport } from "./load-diagnostics.js";
import type {
  Binding,
  NatsRoleEntry,
  PulsarAction,
  PulsarRoleEntry,
  Role,
  SubjectPermissions,
} from "../model/model.js";
import type { accessSchema, natsEntrySchema, pulsarEntrySchema } from "../schema/access.js";
import type { DecoderOutput } from "../schema/decoder.js";

/** A role with the file it came from, so cross-file rules can report against it. */
export interface RoleSource {
  readonly role: Role;
  readonly report: FileReport;
  readonly offset: number;
  /** Offsets of the role's entries, in the order of `role.pulsar` / `role.nats`. */
  readonly pulsarOffsets: readonly number[];
  readonly natsOffsets: readonly number[];
}

export interface BindingSource {
  readonly binding: Binding;
  readonly report: FileReport;
  readonly offset: number;
  readonly subjectOffset: number;
  readonly roleRefs: readonly { readonly name: string; readonly offset: number }[];
  readonly expiresOffset?: number;
}

type AccessInput = DecoderOutput<typeof accessSchema>;
type PulsarInput = DecoderOutput<typeof pulsarEntrySchema>;
type NatsInput = DecoderOutput<typeof natsEntrySchema>;

export function normalizeAccess(
  input: AccessInput,
  report: FileReport,
): { roles: RoleSource[]; bindings: BindingSource[] } {
  const roles: RoleSource[] = [];
  for (const entry of input.roles ?? []) {
    const value = entry.value;
    const pulsar = (value?.pulsar ?? []).flatMap((item) => toPulsarEntry(item, report));
    const nats = (value?.nats ?? []).flatMap((item) => toNatsEntry(item, report));
    roles.push({
      role: {
        name: entry.key,
        ...(value?.description === undefined ? {} : { description: value.description }),
        pulsar: pulsar.map(([item]) => item),
        nats: nats.map(([item]) => item),
        at: report.at(entry.keyOffset),
      },
      report,
      offset: entry.keyOffset,
      pulsarOffsets: pulsar.map(([, offset]) => offset),
      natsOffsets: nats.map(([, offset]) => offset),
    });
    if (
      value !== undefined &&
      pulsar.length === 0 &&
      nats.length === 0 &&
      value.pulsar === undefined &&
      value.nats === undefined
    ) {
      report.warning(
        entry.keyOffset,
        `role \`${entry.key}\` grants nothing; add \`pulsar:\` or \`nats:\` entries, or remove it`,
      );
    }
  }
  const bindings: BindingSource[] = [];
  for (const item of input.bindings ?? []) {
    const source = toBindingSource(item, report);
    if (source !== undefined) bindings.push(source);
  }
  return { roles, bindings };
}

function toBindingSource(
  item: NonNullable<AccessInput["bindings"]>[number],
  report: FileReport,
): BindingSource | undefined {
  const { group, user } = item;
  if (group !== undefined && user !== undefined) {
    report.error(item.$offset, "a binding names both a `group` and a `user`; split it into two bindings");
    return undefined;
  }
  if (group === undefined && user === undefined) {
    if (item.$keys.group === undefined && item.$keys.user === undefined) {
      report.error(item.$offset, "a binding names no `group` or `user`; add one of them");
    }
    return undefined;
  }
  const kind = group === undefined ? "user" : "group";
  const roleRefs = (item.roles ?? []).map((ref) => ({ name: ref.value, offset: ref.offset }));
  return {
    binding: {
      subject: { kind, name: (group ?? user) as string },
      roles: roleRefs.map((ref) => ref.name),
      ...(item.expires === undefined ? {} : { expires: item.expires }),
      at: report.at(item.$offset),
    },
    report,
    offset: item.$offset,
    subjectOffset: item.$values[kind] ?? item.$offset,
    roleRefs,
    ...(item.$values.expires === undefined || item.expires === undefined
      ? {}
      : { expiresOffset: item.$values.expires }),
  };
}

function toPulsarEntry(item: PulsarInput, report: FileReport): [PulsarRoleEntry, number][] {
  const at = report.at(item.$offset);
  if ("tenantAdmin" in item && item.tenantAdmin !== undefined) {
    return [[{ kind: "tenantAdmin", tenant: item.tenantAdmin, at }, item.$offset]];
  }
  const actions = "actions" in item ? uniqueActions(item.actions) : [];
  if (actions.length === 0) return [];
  if ("namespace" in item && item.namespace !== undefined) {
    return [[{ kind: "namespace", namespace: item.namespace, actions, at }, item.$offset]];
  }
  if ("topic" in item && item.topic !== undefined) {
    return [[{ kind: "topic", topic: item.topic, actions, at }, item.$offset]];
  }
  return [];
}

function uniqueActions(actions: readonly string[] | undefined): PulsarAction[] {
  return [...new Set(actions ?? [])].sort() as PulsarAction[];
}

function toNatsEntry(item: NatsInput, report: FileReport): [NatsRoleEntry, number][] {
  if (item.account === undefined) return [];
  if (item.$keys.publish === undefined && item.$keys.subscribe === undefined) {
    report.error(
      item.$offset,
      `the \`nats\` entry for account ${item.account} lists no subjects; add \`publish:\` or \`subscribe:\` (an empty permission set means everything to NATS)`,
    );
    return [];
  }
  return [
    [
      {
        account: item.account,
        publish: toPermissions(item.publish),
        subscribe: toPermissions(item.subscribe),
        at: report.at(item.$offset),
      },
      item.$offset,
    ],
  ];
}

function toPermissions(value: NatsInput["publish"]): SubjectPermissions {
  if (value === undefined) return { allow: [], deny: [] };
  if (Array.isArray(value)) return { allow: value, deny: [] };
  return { allow: value.allow ?? [], deny: value.deny ?? [] };
}
