import type { FileReport } from "../../../src/policy/load/load-diagnostics.js";
import type { SourceLocation } from "../../../src/policy/model/model.js";
import type { Provenance } from "../../../src/policy/model/effective-access.js";
import {
  sortedProvenance,
  sortedUnique,
  type GrantSource,
} from "../../../src/policy/compile/compile-grants.js";
import { changeOf, minus, pairByKey } from "../../../src/policy/diff/access-diff-grants.js";
import { DEFAULT_PRINCIPAL } from "../../../src/policy/load/load-settings.js";
import { list } from "../../../src/policy/schema/decode-collections.js";
import { object } from "../../../src/policy/schema/decode-object.js";
import { string } from "../../../src/policy/schema/decode-scalars.js";
import type { DecoderOutput } from "../../../src/policy/schema/decoder.js";
import { principalSetting, protectedPrincipalsSetting } from "../../../src/policy/schema/settings.js";
import { defineTargetPolicy, type RoleEntries } from "../../../src/policy/targets/target-policy.js";

/**
 * A third target that lives only under `test/`: topic ACLs of a Kafka-like cluster. Role entries are
 * `{topic, operations}`, settings name the managed topic prefixes. It goes through the same registry seam
 * Pulsar and NATS use, which is what the registry test proves.
 */
export const KAFKA_LIKE = "kafkalike";
export const OPERATIONS = ["read", "write", "describe"] as const;

export interface TopicAclEntry {
  readonly topic: string;
  readonly operations: readonly string[];
  readonly at: SourceLocation;
}

export interface KafkaLikeSettings {
  readonly principal: string;
  readonly protectedPrincipals: readonly string[];
  readonly manage: { readonly topicPrefixes: readonly string[] };
}

export interface TopicAclGrant {
  readonly topic: string;
  readonly operations: readonly string[];
  readonly because: readonly Provenance[];
}

function checkTopic(topic: string): string | undefined {
  if (/^[A-Za-z0-9._-]+$/.test(topic)) return undefined;
  return `${JSON.stringify(topic)} is not a topic name; use letters, digits, . _ and -`;
}

const entrySchema = object(
  {
    topic: { decoder: string({ check: checkTopic }), required: true },
    operations: { decoder: list(string({ enum: OPERATIONS }), { minItems: 1 }), required: true },
  },
  { noun: "a role's `kafkalike` entry", description: "Operations on one topic." },
);

const settingsSchema = object(
  {
    principal: { decoder: principalSetting },
    manage: {
      decoder: object(
        { topicPrefixes: { decoder: list(string({ check: checkTopic })) } },
        { noun: "`kafkalike.manage`" },
      ),
    },
    protectedPrincipals: { decoder: protectedPrincipalsSetting },
  },
  { noun: "settings `kafkalike`" },
);

function normalizeEntry(
  input: DecoderOutput<typeof entrySchema>,
  report: FileReport,
): TopicAclEntry | undefined {
  if (input.topic === undefined || input.operations === undefined || input.operations.length === 0)
    return undefined;
  return {
    topic: input.topic,
    operations: sortedUnique([...input.operations]),
    at: report.at(input.$offset),
  };
}

export function isTopicManaged(topic: string, settings: KafkaLikeSettings): boolean {
  return settings.manage.topicPrefixes.some((prefix) => topic.startsWith(prefix));
}

function scopeError(entry: TopicAclEntry, settings: KafkaLikeSettings | undefined): string | undefined {
  if (settings !== undefined && isTopicManaged(entry.topic, settings)) return undefined;
  return `topic ${entry.topic} is outside the managed scope; add its prefix to \`kafkalike.manage.topicPrefixes\` in settings.yaml, or remove this entry`;
}

function checkRole(source: RoleEntries<TopicAclEntry>): void {
  const seen = new Set<string>();
  source.entries.forEach((entry, index) => {
    if (seen.has(entry.topic)) {
      source.report.warning(
        source.offsets[index] ?? source.roleOffset,
        `role \`${source.role.name}\` names topic ${entry.topic} twice; merge the operations into one entry`,
      );
    }
    seen.add(entry.topic);
  });
}

function mergeGrants(sources: readonly GrantSource<TopicAclEntry, string>[]): TopicAclGrant {
  return {
    topic: sources[0]!.resource,
    operations: sortedUnique(sources.flatMap((source) => [...source.entry.operations])),
    because: sortedProvenance(sources),
  };
}

function diffGrants(principal: string, before: readonly TopicAclGrant[], after: readonly TopicAclGrant[]) {
  return pairByKey(before, after, (grant) => grant.topic).flatMap(([old, now]) =>
    changeOf({
      target: KAFKA_LIKE,
      principal,
      resource: { kind: "topic", name: (now ?? old)!.topic },
      gained: minus(now?.operations ?? [], old?.operations ?? []),
      lost: minus(old?.operations ?? [], now?.operations ?? []),
      denyAdded: [],
      denyLifted: [],
      old: old?.because ?? [],
      now: now?.because ?? [],
    }),
  );
}

export const kafkaLikePolicy = defineTargetPolicy({
  name: KAFKA_LIKE,
  title: "Kafka-like",
  settingsSchema,
  normalizeSettings: (input): KafkaLikeSettings => ({
    principal: input.principal ?? DEFAULT_PRINCIPAL,
    protectedPrincipals: input.protectedPrincipals ?? [],
    manage: { topicPrefixes: input.manage?.topicPrefixes ?? [] },
  }),
  entrySchema,
  normalizeEntry,
  scopeError,
  checkRole,
  compiles: (entry, settings) => entry.operations.length > 0 && isTopicManaged(entry.topic, settings),
  resourceOf: (entry) => ({ key: entry.topic, resource: entry.topic }),
  mergeGrants,
  diffGrants,
  describeGrant: (grant) => [`topic ${grant.topic}: ${grant.operations.join(", ")}`],
});
