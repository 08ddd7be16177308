// @ts-check
// The wasm engine's `createMigration` and `evaluateDataLoss` never receive the shadow database factory ("PostgreSQL
// shadow DB must be provided through an external factory"), while its `diff` and `schemaPush` work. `migrate dev`
// needs both, so they are rebuilt here from those two.

import { scriptSteps, stepIndexOf } from "./steps.mjs";

const emptyLockfile = 'provider = "postgresql"\n';

/**
 * The schema the migrations folder builds, replayed on a shadow database even when the folder is empty: `empty` would
 * lack the `public` schema every new database has, and the first migration would create it.
 */
function historyTarget(migrationsList) {
  // `diff` insists on a lockfile to learn the provider; a history without one is this datasource's.
  const lockfile = { ...migrationsList.lockfile, content: migrationsList.lockfile.content ?? emptyLockfile };
  return { tag: "migrations", ...migrationsList, lockfile };
}

async function diffFromHistory(run, { migrationsList, schema, filters }) {
  return run("diff", {
    from: historyTarget(migrationsList),
    to: { tag: "schemaDatamodel", ...schema },
    script: true,
    exitCode: true,
    filters,
  });
}

/** `<UTC yyyymmddhhmmss>_<name>`, the native engine's directory name. */
function migrationDirectoryName(name, now = new Date()) {
  const timestamp = now.toISOString().replace(/\D/g, "").slice(0, 14);
  return `${timestamp}_${name}`;
}

export async function createMigration(run, input) {
  const { exitCode, stdout } = await diffFromHistory(run, input);
  const empty = exitCode === 0;
  return {
    connectorType: "postgresql",
    generatedMigrationName: migrationDirectoryName(input.migrationName),
    migrationScript: empty && !input.draft ? null : stdout,
    extension: "sql",
  };
}

/**
 * Steps come from the diff against the migration history. Warnings and unexecutable steps come from the engine's own
 * checker: a `schemaPush` rehearsed in a transaction that is rolled back, on the main database, which `migrate dev`
 * has just brought in line with that history.
 */
export async function evaluateDataLoss(run, input) {
  const { exitCode, stdout } = await diffFromHistory(run, input);
  if (exitCode === 0) return { migrationSteps: 0, warnings: [], unexecutableSteps: [] };
  const steps = scriptSteps(stdout);
  const { warnings, unexecutable } = await run(
    "schemaPush",
    { force: false, schema: input.schema, filters: input.filters },
    { rehearsal: true },
  );
  return {
    migrationSteps: Math.max(1, steps.length),
    warnings: warnings.map((message) => ({ message, stepIndex: stepIndexOf(message, steps) })),
    unexecutableSteps: unexecutable.map((message) => ({ message, stepIndex: stepIndexOf(message, steps) })),
  };
}
