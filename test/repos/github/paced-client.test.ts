/**
 * The write budget that replaces Probot's throttle plugin: content-creating requests stay under GitHub's
 * 80 a minute in every sliding 60 s window, bursts go out at once, reads are never held. A virtual clock
 * that `sleep` moves forward makes the windows exact without waiting a minute; one test runs the real
 * clock against the fake GitHub to show the pacing sits in front of real requests.
 */
import { afterEach, describe, expect, it } from "vitest";
import { pacedClient } from "../../../src/repos/github/paced-client.js";
import type { GitHubGraphqlClient } from "../../../src/repos/github/github-request.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { startFakeGitHub } from "../../fakes/github/fake-github.js";
import { fakeClient, seedMain } from "./github-fixture.js";

/** A client that answers at once and notes what reached it, and when on the virtual clock. */
function recordingClient(clock: { now: number }) {
  const sent: { what: string; at: number }[] = [];
  const client: GitHubGraphqlClient = {
    request(route) {
      sent.push({ what: route, at: clock.now });
      return Promise.resolve({ status: 200, data: {}, headers: {} });
    },
    graphql(query) {
      sent.push({ what: query.trim().split(/\s/, 1)[0] ?? "", at: clock.now });
      return Promise.resolve({});
    },
  };
  return { client, sent };
}

function virtualClock() {
  const clock = { now: 0, slept: [] as number[] };
  return {
    clock,
    options: {
      now: () => clock.now,
      sleep: (ms: number) => {
        clock.slept.push(ms);
        clock.now += ms;
        return Promise.resolve();
      },
    },
  };
}

/** The most writes any 60 s window holds. */
function peakPerMinute(times: readonly number[]): number {
  return Math.max(
    0,
    ...times.map((start) => times.filter((at) => at >= start && at < start + 60_000).length),
  );
}

describe("pacedClient", () => {
  it("sends a burst of writes at once and holds the first write past the budget until the window slides", async () => {
    const { clock, options } = virtualClock();
    const { client, sent } = recordingClient(clock);
    const paced = pacedClient(client, { ...options, perMinute: 60 });
    for (let index = 0; index < 6; index++) await paced.request("POST /repos/{owner}/{repo}/git/trees");
    expect(clock.slept).toEqual([]);

    clock.now = 10_000;
    for (let index = 0; index < 54; index++)
      await paced.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}");
    expect(clock.slept).toEqual([]);
    await paced.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge");
    expect(clock.slept).toEqual([50_000]);
    expect(sent.at(-1)).toEqual({ what: "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", at: 60_000 });
  });

  it("never holds a read, even with the write budget spent", async () => {
    const { clock, options } = virtualClock();
    const { client, sent } = recordingClient(clock);
    const paced = pacedClient(client, { ...options, perMinute: 2 });
    await paced.request("POST /repos/{owner}/{repo}/git/commits");
    await paced.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}");
    await paced.request("GET /repos/{owner}/{repo}/git/ref/{ref}");
    await paced.request("/repos/{owner}/{repo}/pulls");
    await paced.graphql("query { viewer { login } }");
    await paced.graphql("# a read\nquery Files { repository { id } }");
    expect(clock.slept).toEqual([]);
    expect(sent).toHaveLength(6);
  });

  it("counts GraphQL mutations, through graphql or a POST /graphql, as writes", async () => {
    const { clock, options } = virtualClock();
    const { client } = recordingClient(clock);
    const paced = pacedClient(client, { ...options, perMinute: 2 });
    await paced.graphql("mutation EnableAutoMerge($id: ID!) { x }");
    await paced.request("POST /graphql", { query: "# arm it\nmutation Disable { y }" });
    await paced.request("POST /graphql", { query: "query Read { z }" });
    expect(clock.slept).toEqual([]);
    await paced.graphql("\n  mutation Again { x }");
    expect(clock.slept).toEqual([60_000]);
  });

  it("lets no two waiting writers slip into one slot: every window holds at most the budget", async () => {
    const { clock, options } = virtualClock();
    const { client, sent } = recordingClient(clock);
    const paced = pacedClient(client, { ...options, perMinute: 3 });
    await Promise.all(
      Array.from({ length: 10 }, (_, index) => paced.request(`POST /repos/o/r/issues/${index}/labels`)),
    );
    expect(sent).toHaveLength(10);
    expect(peakPerMinute(sent.map((entry) => entry.at))).toBe(3);
    expect(sent.map((entry) => entry.at)).toEqual([
      0, 0, 0, 60_000, 60_000, 60_000, 120_000, 120_000, 120_000, 180_000,
    ]);
  });
});

describe("pacedClient in front of the fake GitHub", () => {
  let fake: FakeGitHub | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it("passes requests and answers through unchanged, holding only the writes past the budget", async () => {
    fake = await startFakeGitHub();
    const main = await seedMain(fake);
    let now = 0;
    const slept: number[] = [];
    const paced = pacedClient(fakeClient(fake), {
      perMinute: 2,
      now: () => now,
      sleep: (ms) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
    });
    const name = { owner: fake.owner, repo: fake.repo };
    for (const branch of ["a", "b", "c"]) {
      const created = await paced.request("POST /repos/{owner}/{repo}/git/refs", {
        ...name,
        ref: `refs/heads/${branch}`,
        sha: main,
      });
      expect(created.status).toBe(201);
    }
    const read = await paced.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...name, ref: "heads/c" });
    expect((read.data as { object: { sha: string } }).object.sha).toBe(main);
    expect(slept).toEqual([60_000]);
    expect(fake.mismatches).toEqual([]);
  });
});
