import { afterEach, beforeEach } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { PolicyInput } from "../../src/engine/engine-input.js";
import { openTargets, type OpenedTargets } from "../../src/engine/open-targets.js";
import type { AnyTarget } from "../../src/targets/target.js";
import { pulsarTarget } from "../../src/targets/pulsar/pulsar-target.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";
import type { FakePulsarAdmin } from "../fakes/pulsar-admin/server.js";
import { CLI_NOW, POLICY_FILES, seedForPolicy } from "../plan/cli-fixture.js";
import { SUPER_TOKEN, startFake } from "../targets/pulsar/fixture.js";

export interface EngineWorld {
  readonly fake: FakePulsarAdmin;
  readonly notices: string[];
  /** The engine's input over `files` (default: the CLI tests' policy) and the open targets. */
  input(files?: Record<string, string>, extra?: Partial<PolicyInput>): PolicyInput;
  /** Opens `registry` (default: Pulsar) against the fake; closed after the test. */
  open(registry?: readonly AnyTarget[]): OpenedTargets;
}

/** For every test of a file: the Pulsar fake as `seedForPolicy` leaves it, and the engine's input over it. */
export function useEngineWorld(): EngineWorld {
  let fake: FakePulsarAdmin | undefined;
  let opened: OpenedTargets[] = [];
  let notices: string[] = [];
  beforeEach(async () => {
    fake = await startFake();
    seedForPolicy(fake);
    notices = [];
  });
  afterEach(async () => {
    for (const each of opened) await each.close();
    opened = [];
    await fake?.close();
  });
  const started = (): FakePulsarAdmin => {
    if (fake === undefined) throw new Error("the engine world starts in beforeEach: use it inside a test");
    return fake;
  };
  const world: EngineWorld = {
    get fake() {
      return started();
    },
    get notices() {
      return notices;
    },
    open(registry = [pulsarTarget]) {
      const config = loadConfig({ PULSAR_ADMIN_URL: started().url, PULSAR_TOKEN: SUPER_TOKEN });
      const targets = openTargets({ registry, config, selected: [], notice: (text) => notices.push(text) });
      opened.push(targets);
      return targets;
    },
    input(files = POLICY_FILES, extra = {}) {
      return {
        files: new Map(Object.entries(files)),
        display: "policies",
        targets: world.open().targets,
        policyTargets: POLICY_TARGETS,
        now: CLI_NOW,
        notice: (text) => notices.push(text),
        ...extra,
      };
    },
  };
  return world;
}

/** The changes of a plan, one line each, as a reviewer reads them. */
export function changeLines(plan: {
  readonly targets: readonly {
    readonly changes: readonly { action: string; principal: string; resource: string }[];
  }[];
}): string[] {
  return plan.targets.flatMap((target) =>
    target.changes.map((change) => `${change.action} ${change.principal} ${change.resource}`),
  );
}
