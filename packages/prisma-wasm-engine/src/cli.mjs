// @ts-check
import { log } from "./log.mjs";
import { connectionError, createDatabase, dropDatabase, parseUrl, probe } from "./postgres.mjs";

const COMMANDS = {
  "can-connect-to-database": async (url) => {
    await probe(url);
    return "Connection successful";
  },
  "create-database": async (url) => {
    const { database } = parseUrl(url);
    await createDatabase(url, database);
    return `Database '${database}' was successfully created.`;
  },
  "drop-database": async (url) => {
    const { database } = parseUrl(url);
    await dropDatabase(url, database);
    return `The database was successfully dropped.`;
  },
};

/**
 * `schema-engine cli <command>`: one database-level task, then exit. The CLI skips the first stderr line and
 * parses the rest, looking for an ERROR line whose fields carry `error_code` and `message`.
 */
export async function runCliCommand(command, datasource) {
  log("INFO", "Starting schema engine CLI command", { command }, "schema_engine_cli");
  const run = COMMANDS[command];
  const url = datasource?.url;
  if (!run || !url) {
    log("ERROR", run ? "The `cli` commands need `--datasource` with a url." : `Unknown cli command \`${command}\`.`, {
      is_panic: false,
    });
    return 1;
  }
  try {
    log("INFO", await run(url), {}, "schema_engine_cli");
    return 0;
  } catch (error) {
    const known = connectionError(error, url);
    log("ERROR", known?.message ?? error.message, { is_panic: false, error_code: known?.error_code ?? "P1000" });
    return 1;
  }
}
