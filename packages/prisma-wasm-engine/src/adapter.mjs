// @ts-check
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum, DriverAdapterError } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { createDatabase, dropDatabase, parseUrl, withDatabase } from "./postgres.mjs";

const CHAR_OID = 18;
const TEXT_OID = 25;

/** Server errors the engine acts upon, so they keep the adapter's mapping to a kind the engine knows. */
const MAPPED_SQLSTATES = new Set(["3D000", "28000", "28P01", "42P04", "53300"]);

/**
 * Fixes to the adapter's query path, shared by connections and transactions (one prototype, patched once):
 * - It has no column type for PostgreSQL's internal one-byte `"char"` (pg_catalog uses it everywhere, e.g.
 *   `relkind`, `contype`), so every schema description fails. The engine reads such columns as characters.
 * - A script of several statements (`db execute`) yields one result each; the last one stands for the script.
 * - It rewrites server errors into kinds the engine words its own way: a failing migration would report
 *   "No such table: x" instead of the server's `relation "x" does not exist`. Pass the server's error through.
 * These are the adapter's own behaviours in every version, not a mismatch between two installed versions, and the
 * adapter exposes no hook for them: the patch stays, limited to these three methods.
 */
function patchQueryPath(adapter) {
  const queryable = Object.getPrototypeOf(Object.getPrototypeOf(adapter));
  if (queryable.patchedForSchemaEngine) return;
  queryable.patchedForSchemaEngine = true;
  const { performIO, queryRaw, onError } = queryable;
  queryable.performIO = async function (query) {
    const outcome = await performIO.call(this, query);
    return Array.isArray(outcome) ? outcome.at(-1) : outcome;
  };
  queryable.queryRaw = async function (query) {
    const charColumns = [];
    // A view of this queryable whose results hide "char" from the type mapping, for this one call.
    const hidingChar = Object.create(this, {
      performIO: {
        value: async (q) => {
          const result = await this.performIO(q);
          result.fields.forEach((field, index) => {
            if (field.dataTypeID !== CHAR_OID) return;
            field.dataTypeID = TEXT_OID;
            charColumns.push(index);
          });
          return result;
        },
      },
    });
    const resultSet = await queryRaw.call(hidingChar, query);
    for (const index of charColumns) resultSet.columnTypes[index] = ColumnTypeEnum.Character;
    return resultSet;
  };
  queryable.onError = function (error) {
    if (isServerError(error)) lastServerError = error;
    if (isServerError(error) && !MAPPED_SQLSTATES.has(error.code)) throw serverError(error);
    return onError.call(this, error);
  };
}

const isServerError = (error) => typeof error?.code === "string" && typeof error?.severity === "string";

function serverError({ code, severity, message, detail, column, hint }) {
  return new DriverAdapterError({ kind: "postgres", code, severity, message, detail, column, hint });
}

// The engine renders some server errors in its own words ("No such table: x"); the bridge keeps the last one the
// server sent so an error response can quote the server instead. Requests run one at a time.
let lastServerError;

/** The last error the server sent since the previous call, if any. */
export function takeLastServerError() {
  const error = lastServerError;
  lastServerError = undefined;
  return error;
}

/**
 * The adapter's executeScript splits on `;`, which breaks dollar-quoted bodies and runs a migration statement by
 * statement. One simple-protocol query runs the script the way psql and the native engine do: as one implicit
 * transaction, so a failing migration leaves nothing behind.
 */
function runScriptsWhole(adapter) {
  adapter.executeScript = async (script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      // The script goes with the error: a failed migration's message shows the lines around the failure.
      if (isServerError(error)) error.script = script;
      adapter.onError(error);
    }
  };
}

/** @type {Set<{ dropAll: () => Promise<unknown> }>} */
const liveFactories = new Set();

/** Drops the shadow databases of every factory still at work, for a process told to stop mid-request. */
export async function dropAllShadowDatabases() {
  await Promise.allSettled([...liveFactories].map((shadows) => shadows.dropAll()));
}

/**
 * One connection inside a transaction that is always rolled back: the engine can run a `schemaPush` to learn its
 * data-loss warnings and leave the database as it was. Statements that would end the transaction are refused.
 */
async function rehearsalAdapter(pgConfig, schema) {
  const client = new pg.Client(pgConfig);
  await client.connect();
  await client.query("BEGIN");
  const guard = (sql) => {
    if (/^\s*(begin|start\s+transaction|commit|end|rollback|abort|prepare\s+transaction)\b/i.test(sql)) {
      throw new Error(`A rehearsal cannot run \`${sql.trim().split(/\s/)[0]}\``);
    }
  };
  const pool = new SingleClientPool(client, guard);
  const adapter = await new PrismaPg(pool, { schema }).connect();
  adapter.startTransaction = async () => {
    throw new Error("A rehearsal runs in one transaction of its own.");
  };
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await dispose();
    await client.query("ROLLBACK").finally(() => client.end());
  };
  return adapter;
}

/** A pg.Pool (the adapter insists on one) that always hands out the same connection. */
class SingleClientPool extends pg.Pool {
  constructor(client, guard) {
    super();
    this.single = client;
    this.guard = guard;
  }
  query(config, ...rest) {
    this.guard(typeof config === "string" ? config : config.text);
    return this.single.query(config, ...rest);
  }
  /** @returns {Promise<pg.PoolClient>} */
  async connect() {
    throw new Error("A rehearsal runs on one connection.");
  }
  end() {
    return Promise.resolve();
  }
}

/**
 * The main connection of a call that needs no server (a diff between schema files): the wasm engine still asks
 * for the server's version when it starts, so that one question is answered here, as a current PostgreSQL would,
 * and anything else is an error naming what needs a database.
 */
function offlineAdapter() {
  const refuse = async () => {
    throw new DriverAdapterError({ kind: "postgres", code: "08006", severity: "ERROR", message: "This command needs a database: set a datasource URL.", detail: undefined, column: undefined, hint: undefined });
  };
  return {
    provider: /** @type {const} */ ("postgres"),
    adapterName: "@prisma/adapter-pg",
    async queryRaw(/** @type {{ sql: string }} */ query) {
      if (!/^SELECT EXISTS\(SELECT 1 FROM pg_namespace WHERE nspname = \$1\), version\(\)/.test(query.sql)) return refuse();
      return {
        columnNames: ["exists", "version", "numeric_version"],
        columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
        rows: [[true, "PostgreSQL 17.0", 170000]],
      };
    },
    executeRaw: refuse,
    executeScript: refuse,
    startTransaction: refuse,
    async dispose() {},
  };
}

/**
 * A migration-aware adapter factory for the datasource, bound for the wasm engine. `close()` ends every pool and
 * drops every shadow database this factory made; call it once the engine is done with them. `offline`: the main
 * connection is {@link offlineAdapter}; shadow databases are still real.
 * @param {{ url?: string, shadowDatabaseUrl?: string }} datasource
 * @param {{ rehearsal?: boolean, offline?: boolean }} [options]
 */
export function createAdapterFactory({ url = "", shadowDatabaseUrl }, { rehearsal = false, offline = false } = {}) {
  const open = new Set();
  /** @type {Set<string> & { dropAll: () => Promise<unknown> }} */
  const shadows = Object.assign(new Set(), { dropAll: () => Promise.allSettled([...shadows].map(dropShadow)) });
  liveFactories.add(shadows);

  async function connect(databaseUrl) {
    const { pgConfig, schema } = parseUrl(databaseUrl);
    const adapter = rehearsal
      ? await rehearsalAdapter(pgConfig, schema)
      : await new PrismaPg(pgConfig, { schema }).connect();
    patchQueryPath(adapter);
    runScriptsWhole(adapter);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      if (open.delete(adapter)) await dispose();
    };
    open.add(adapter);
    return adapter;
  }

  /** @type {import("@prisma/driver-adapter-utils").SqlMigrationAwareDriverAdapterFactory} */
  const factory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: async () => (offline ? /** @type {any} */ (offlineAdapter()) : connect(url)),
    // The adapter's own connectToShadowDb reuses the main URL, whose database wins over the shadow one: the
    // "shadow" replay would run on the user's database. Build the shadow URL here instead.
    async connectToShadowDb() {
      if (shadowDatabaseUrl) return connect(shadowDatabaseUrl);
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await createDatabase(url, name);
      shadows.add(name);
      const adapter = await connect(withDatabase(url, name));
      const dispose = adapter.dispose;
      adapter.dispose = async () => {
        await dispose();
        await dropShadow(name);
      };
      return adapter;
    },
  };

  async function dropShadow(name) {
    if (!shadows.delete(name)) return;
    await dropDatabase(url, name, { force: true });
  }

  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  return {
    factory: bound,
    /** The JS error behind the wasm's "External error id#N", which names only the id. */
    externalError: (id) => bound.errorRegistry.consumeError(id)?.error,
    async close() {
      await Promise.allSettled([...open].map((adapter) => adapter.dispose()));
      await shadows.dropAll();
      liveFactories.delete(shadows);
    },
  };
}
