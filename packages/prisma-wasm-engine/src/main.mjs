// @ts-check
import { parseArgs } from "node:util";
import { log } from "./log.mjs";
import { refusedFlags } from "./flags.mjs";
import { versionMismatch } from "./versions.mjs";
import { engineHash } from "./wasm.mjs";

// The CLI asks for `--version` on every run: the database modules load only for work that needs them.

export async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      version: { type: "boolean", short: "V" },
      datamodels: { type: "string", multiple: true },
      datasource: { type: "string" },
      // Honoured where the schema already says the same, else refused: the wasm engine takes neither.
      "enabled-preview-features": { type: "string" },
      "extension-types": { type: "string" },
    },
  });
  if (values.version) {
    process.stdout.write(`schema-engine-cli ${engineHash()}\n`);
    return;
  }
  const mismatch = versionMismatch();
  if (mismatch) process.stderr.write(`${mismatch}\n`);
  const datasource = values.datasource ? JSON.parse(String(values.datasource)) : undefined;
  if (positionals[0] === "cli") {
    const { runCliCommand } = await import("./cli.mjs");
    process.exitCode = await runCliCommand(positionals[1], datasource);
    return;
  }
  if (positionals.length > 0) {
    log("ERROR", `Unknown arguments: ${positionals.join(" ")}`, { is_panic: false });
    process.exitCode = 1;
    return;
  }
  const datamodelPaths = /** @type {string[]} */ (values.datamodels ?? []);
  const refused = refusedFlags({
    previewFeatures: /** @type {string | undefined} */ (values["enabled-preview-features"]),
    extensionTypes: /** @type {string | undefined} */ (values["extension-types"]),
    datamodelPaths,
  });
  if (refused) process.stderr.write(`${refused}\n`);
  const [{ dropAllShadowDatabases }, { serve }] = await Promise.all([import("./adapter.mjs"), import("./rpc.mjs")]);
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => dropAllShadowDatabases().finally(() => process.exit(0)));
  }
  serve({ datamodelPaths, datasource, refused });
}
