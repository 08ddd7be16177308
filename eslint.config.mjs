import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";

const unsafeSql = ["$queryRawUnsafe", "$executeRawUnsafe"].map((property) => ({
  property,
  message: "Build SQL with the $queryRaw / $executeRaw tagged templates, which send values as parameters.",
}));

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
      "no-restricted-properties": ["error", ...unsafeSql],
    },
  },
  globalIgnores([".next/**", "bench/next-floor/.next/**", "bench/next-floor/next-env.d.ts", "lib/generated/**", ".data/**", "next-env.d.ts", "runtimes/workerd/dist/**", "packages/*/test/.work/**"]),
]);
