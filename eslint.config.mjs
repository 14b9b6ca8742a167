// ESLint flat config. Besides the usual TypeScript rules it enforces the
// dependency direction of docs/architecture.md:
//   engine/      imports nothing outside itself and no I/O module
//   components/  never imports server/, workers/ or Prisma
//   only workers/ imports bullmq
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

const ioModules = [
  "fs", "node:fs", "fs/promises", "node:fs/promises", "net", "node:net", "http", "node:http",
  "https", "node:https", "child_process", "node:child_process", "dns", "node:dns", "tls", "node:tls",
  "dgram", "node:dgram", "worker_threads", "node:worker_threads",
  "pg", "ioredis", "bullmq", "undici", "@prisma/*", "nodemailer", "isolated-vm", "next", "next/*", "react",
];

const outside = (dirs) => dirs.flatMap((d) => [`@/${d}`, `@/${d}/*`, `../${d}`, `../${d}/*`, `../../${d}/*`, `../../../${d}/*`, `**/${d}/*`]);

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", ".data/**", "tools/**", "server/generated/**", "next-env.d.ts", "test-results/**", "playwright-report/**", "integrations/aws/dist/**"] },
  js.configs.recommended,
  { files: ["**/*.mjs"], languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", fetch: "readonly", setTimeout: "readonly" } } },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    files: ["components/**/*.{ts,tsx}", "app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "warn" },
  },
  {
    files: ["engine/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: ioModules.filter((m) => !m.includes("*")).map((name) => ({ name, message: "engine/ is pure: no I/O modules" })),
        patterns: [
          { group: ioModules.filter((m) => m.includes("*")), message: "engine/ is pure: no I/O modules" },
          { group: outside(["server", "workers", "app", "components", "prisma", "scripts", "integrations"]), message: "engine/ imports nothing outside itself" },
        ],
      }],
      "no-restricted-globals": ["error",
        { name: "fetch", message: "engine/ performs no I/O: return a command instead" },
        { name: "process", message: "engine/ reads no environment: take it as input" },
        { name: "setTimeout", message: "engine/ has no timers: return a scheduleTimer command" },
        { name: "setInterval", message: "engine/ has no timers" },
      ],
      "no-restricted-properties": ["error",
        { object: "Date", property: "now", message: "time comes through the injected clock" },
        { object: "Math", property: "random", message: "randomness comes through the injected clock/random source" },
      ],
      "no-restricted-syntax": ["error", { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "time comes through the injected clock" }],
    },
  },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [{ name: "bullmq", message: "only workers/ imports bullmq" }, { name: "pg", message: "components/ never touch the database" }],
        patterns: [
          { group: ["@prisma/*", "**/generated/prisma/*"], message: "components/ never import Prisma: use DTOs" },
          { group: outside(["server", "workers"]), message: "components/ never import server/ or workers/" },
        ],
      }],
    },
  },
  {
    files: ["**/*.{ts,tsx,mjs}"],
    ignores: ["workers/**", "engine/**", "components/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "bullmq", message: "only workers/ imports bullmq; call workers/ through its exported functions" }] }],
    },
  },
);
