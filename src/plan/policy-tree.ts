import { createHash } from "node:crypto";
import type { PolicyFiles } from "../policy/model/model.js";

interface TreeNode {
  readonly files: Map<string, string>;
  readonly dirs: Map<string, TreeNode>;
}

/**
 * The git tree hash (sha1, as `git rev-parse HEAD:policies` prints it) of a policy directory's files,
 * computed from their contents, so a saved plan names the policy it was made from whether or not the
 * directory is in git. Equal to git's own hash when the directory holds only the policy's YAML files.
 */
export function hashPolicyTree(files: PolicyFiles): string {
  const root: TreeNode = { files: new Map(), dirs: new Map() };
  for (const [path, text] of files) {
    const parts = path.split("/");
    const name = parts.pop() ?? "";
    let node = root;
    for (const part of parts) {
      const next = node.dirs.get(part) ?? { files: new Map(), dirs: new Map() };
      node.dirs.set(part, next);
      node = next;
    }
    node.files.set(name, text);
  }
  return hashTree(root).toString("hex");
}

function hashTree(node: TreeNode): Buffer {
  const entries: { sortKey: string; bytes: Buffer }[] = [];
  for (const [name, text] of node.files) {
    entries.push({
      sortKey: name,
      bytes: entry("100644", name, hashObject("blob", Buffer.from(text, "utf8"))),
    });
  }
  for (const [name, child] of node.dirs) {
    entries.push({ sortKey: `${name}/`, bytes: entry("40000", name, hashTree(child)) });
  }
  // git orders tree entries by name bytes, a directory compared as if its name ended in "/".
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
  return hashObject("tree", Buffer.concat(entries.map((each) => each.bytes)));
}

function entry(mode: string, name: string, hash: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${mode} ${name}\0`, "utf8"), hash]);
}

function hashObject(type: "blob" | "tree", body: Buffer): Buffer {
  return createHash("sha1")
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest();
}
