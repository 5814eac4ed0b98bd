/** Which part of policy format v1 a file is, by its path relative to the policy directory. */
export type PolicyFileKind =
  | { readonly kind: "settings" }
  | { readonly kind: "access" }
  | { readonly kind: "user"; readonly slug: string }
  | { readonly kind: "group"; readonly slug: string }
  | { readonly kind: "other" };

const USER_FILE = /^identities\/users\/([^/]+)\.ya?ml$/;
const GROUP_FILE = /^identities\/groups\/([^/]+)\.ya?ml$/;
const ACCESS_FILE = /^access\/.+\.ya?ml$/;

export function classifyPolicyFile(path: string): PolicyFileKind {
  if (path === "settings.yaml" || path === "settings.yml") return { kind: "settings" };
  const user = USER_FILE.exec(path);
  if (user !== null) return { kind: "user", slug: user[1] ?? "" };
  const group = GROUP_FILE.exec(path);
  if (group !== null) return { kind: "group", slug: group[1] ?? "" };
  if (ACCESS_FILE.test(path)) return { kind: "access" };
  return { kind: "other" };
}

/** The path a person sees: the policy directory as they named it, then the file. */
export function displayPath(dir: string, path: string): string {
  if (dir === "" || dir === ".") return path;
  return dir.endsWith("/") ? `${dir}${path}` : `${dir}/${path}`;
}
