import { describe, expect, it } from "vitest";
import { readErrorReason } from "../../../src/targets/pulsar/admin-errors.js";

describe("readErrorReason: Pulsar's three error shapes, read defensively", () => {
  it("takes the reason from JSON, even when labelled text", () => {
    expect(readErrorReason(409, "application/json", '{"reason":"Concurrent modification"}')).toBe(
      "Concurrent modification",
    );
    expect(
      readErrorReason(412, "text/plain", '{"reason":"Permissions are not set at the topic level"}'),
    ).toBe("Permissions are not set at the topic level");
  });

  it("takes the title of a servlet container's HTML page", () => {
    expect(
      readErrorReason(
        401,
        "text/html",
        "<html><head><title>Error 401 Authentication required</title></head></html>",
      ),
    ).toBe("Error 401 Authentication required");
    expect(readErrorReason(401, "text/html", "<html><body>nope</body></html>")).toBe(
      "Authentication required",
    );
  });

  it("takes the first meaningful line of a text/plain stack trace", () => {
    const body =
      " --- An unexpected error occurred in the server ---\n\nMessage: boom\n\nStacktrace:\n\tat x";
    expect(readErrorReason(500, "text/plain", body)).toBe("Message: boom");
  });

  it("copes with JSON without a reason, broken JSON and an empty body", () => {
    expect(readErrorReason(500, "application/json", '{"code":500}')).toBe('{"code":500}');
    expect(readErrorReason(500, "application/json", "{oops")).toBe("{oops");
    expect(readErrorReason(502, "", "")).toBe("no reason given (status 502)");
  });
});
