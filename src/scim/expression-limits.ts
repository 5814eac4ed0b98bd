/**
 * Bounds on the filters and PATCH paths a client may send, in one place. The parsers recurse once per
 * level of nesting, so without a bound a few thousand `(` exhaust the stack and the request dies as a 500.
 *
 * Why these numbers: what IdPs really send is one or two comparisons with at most one level of brackets —
 * Okta's `userName eq "…"`, Entra's `emails[type eq "work"].value eq "…"`, `members[value eq "…"]` — well
 * under 600 characters even with a 254-character address. 32 levels and 8 KiB are far beyond that (an
 * `or` of 100 UUIDs is 4.5 KiB) and far below what the recursion can take. 8 KiB also stays inside Node's
 * 16 KiB header limit once URL-encoded, so a GET filter over the bound reaches us and gets a SCIM 400
 * saying why instead of Node's bare 431.
 */
export const MAX_EXPRESSION_LENGTH = 8192;

/** Parentheses, `[…]` value filters and `not` each count as one level. */
export const MAX_NESTING = 32;
