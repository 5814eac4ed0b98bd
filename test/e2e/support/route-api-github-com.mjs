/**
 * Preloaded into `scim-gitops serve` (node --import) by the github.com end-to-end test: requests to
 * https://api.github.com go to the stateful fake at E2E_GITHUB_ORIGIN instead, path, method, headers and
 * body unchanged, because this machine has no DNS or TLS for github.com. Serve itself runs unchanged, on
 * Probot's own github.com base URL and paths (no /api/v3), which a GHE_HOST run never exercises.
 */
const API = "https://api.github.com";
const origin = process.env.E2E_GITHUB_ORIGIN;
if (origin === undefined || origin === "") throw new Error("E2E_GITHUB_ORIGIN is not set");
const realFetch = globalThis.fetch;

globalThis.fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  if (!url.startsWith(`${API}/`)) return realFetch(input, init);
  const routed = `${origin}${url.slice(API.length)}`;
  return input instanceof Request ? realFetch(new Request(routed, input), init) : realFetch(routed, init);
};
