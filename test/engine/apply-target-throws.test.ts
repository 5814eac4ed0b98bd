/**
 * A target that throws outright in apply (its connection died) has every one of its changes reported
 * failed with the reason, and the other targets are still applied (STYLE habit 7).
 */
import { expect, it } from "vitest";
import { applyPolicy } from "../../src/engine/apply-policy.js";
import { pulsarTarget } from "../../src/targets/pulsar/pulsar-target.js";
import { isSuccess, summariseApply } from "../../src/plan/render-apply.js";
import { POLICY_FILES } from "../plan/cli-fixture.js";
import { useEngineWorld } from "./engine-world.js";
import { throwingTarget } from "./throwing-target.js";

const world = useEngineWorld();

const WITH_NATS = {
  ...POLICY_FILES,
  "settings.yaml": POLICY_FILES["settings.yaml"]!.replace(
    "guards:",
    'nats:\n  principal: "{userName}"\n  manage:\n    accounts: [PAYMENTS]\nguards:',
  ),
  "access/payments.yaml": POLICY_FILES["access/payments.yaml"]!.replace(
    "  events-reader:",
    '    nats:\n      - account: PAYMENTS\n        publish: ["payments.>"]\n        subscribe: ["payments.>"]\n  events-reader:',
  ),
};

it("reports every change of a target that throws as failed, and still applies the others", async () => {
  const targets = world.open([pulsarTarget, throwingTarget]).targets;
  const outcome = await applyPolicy(
    { ...world.input(WITH_NATS), targets },
    { allowMassRevocation: false, dryRun: false },
  );
  if (outcome.kind !== "applied") throw new Error(`expected an apply, got ${outcome.kind}`);
  const [pulsar, nats] = outcome.results;
  expect(pulsar?.results.length).toBeGreaterThan(0);
  expect(pulsar?.results.every((result) => result.ok)).toBe(true);
  expect(world.fake.state.snapshot().namespaces["shared/events"]?.namespace["carol@example.com"]).toEqual([
    "consume",
  ]);
  expect(nats?.results.map((result) => `${result.change.principal} ${String(result.ok)}`)).toEqual([
    "alice@example.com false",
    "bob@example.com false",
  ]);
  expect(nats?.results.map((result) => result.error)).toEqual([
    "connection reset by peer (the server went away mid-apply)",
    "connection reset by peer (the server went away mid-apply)",
  ]);
  expect(isSuccess(summariseApply(outcome.results))).toBe(false);
});
