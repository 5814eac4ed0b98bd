import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { openTargets, TargetSelectionError } from "../../src/engine/open-targets.js";
import { TARGETS } from "../../src/targets/registry.js";

const PULSAR_ONLY = loadConfig({ PULSAR_ADMIN_URL: "http://127.0.0.1:9", PULSAR_TOKEN: "t" });

function open(selected: string[], config = PULSAR_ONLY) {
  const notices: string[] = [];
  const opened = openTargets({ registry: TARGETS, config, selected, notice: (text) => notices.push(text) });
  return { names: opened.targets.map(({ target }) => target.name), notices, close: () => opened.close() };
}

describe("openTargets", () => {
  it("opens every configured target by default and notes each one skipped, with what to set", async () => {
    const opened = open([]);
    expect(opened.names).toEqual(["pulsar"]);
    expect(opened.notices).toEqual([expect.stringMatching(/^skipping nats: not configured \(set NATS_URL /)]);
    await opened.close();
  });

  it("opens only the targets named", async () => {
    const config = loadConfig({ PULSAR_ADMIN_URL: "http://127.0.0.1:9", NATS_URL: "nats://127.0.0.1:9" });
    const opened = open(["nats"], config);
    expect(opened.names).toEqual(["nats"]);
    expect(opened.notices).toEqual([]);
    await opened.close();
  });

  it("refuses a named target that is not configured, saying what to set", () => {
    const refusal = (() => {
      try {
        open(["nats"]);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(TargetSelectionError);
    expect(refusal).toMatchObject({
      name: "TargetSelectionError",
      target: "nats",
      problem: "not-configured",
    });
    expect((refusal as Error).message).toMatch(/^target nats is not configured: set NATS_URL/);
  });

  it("refuses a target it does not know, listing those it does", () => {
    expect(() => open(["kafka"])).toThrow("target kafka is not known: use pulsar or nats");
  });
});
