// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

/** The pure core (DESIGN §2, STYLE "Shape of the tree"): no adapters, no CLI, no I/O. */
const CORE = ["./src/policy", "./src/plan", "./src/engine"];
const ADAPTERS_AND_ENTRY_POINTS = ["./src/cli", "./src/server", "./src/repos", "./src/scim", "./src/app.ts"];

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".cache/", "coverage/", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports (app.ts is the one exception)." },
      ],
    },
  },
  {
    // Dependency direction: no import cycles anywhere, and the core never reaches outwards. The engine may
    // know the Target interface (src/targets/target.ts), never a target's client.
    files: ["src/**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            ...CORE.map((target) => ({
              target,
              from: ADAPTERS_AND_ENTRY_POINTS,
              message:
                "the core (policy/, plan/, engine/) must not import adapters or entry points: pass what it needs in",
            })),
            ...CORE.map((target) => ({
              target,
              from: "./src/targets",
              except: ["./target.ts"],
              message: "the core must not import a target's code: targets are registered and passed in",
            })),
          ],
        },
      ],
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "node:fs",
                "node:fs/*",
                "node:child_process",
                "node:net",
                "node:http",
                "node:https",
                "@octokit/*",
                "probot",
                "nats",
              ],
              message: "the core is pure: do the I/O in an adapter and pass the result in",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/policy/**", "src/plan/**", "src/engine/**"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["src/app.ts", "vitest.config.ts", "eslint.config.js"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    // Plain Node scripts that run before node_modules exists (scripts/ensure-install.mjs) or check a clone
    // where it does not yet: outside the TypeScript project, so linted without type information.
    files: ["scripts/**/*.mjs", "test/**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: "readonly",
        console: "readonly",
        performance: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        fetch: "readonly",
        Request: "readonly",
        globalThis: "readonly",
      },
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
    },
  },
);
