// @ts-check
import { readFile } from "node:fs/promises";
import { createAdapterFactory, takeLastServerError } from "./adapter.mjs";
import * as dev from "./dev.mjs";
import { introspectSql } from "./introspect-sql.mjs";
import { migrationFailed } from "./migration-error.mjs";
import { forwardWasmLog } from "./log.mjs";
import { connectionError, probe } from "./postgres.mjs";
import { loadSchemaEngine, takePanicMessage } from "./wasm.mjs";

/** RPC method names that differ from the wasm engine's. */
const WASM_METHOD = { getDatabaseVersion: "version" };
/** RPC methods answered by composing other wasm methods. */
const COMPOSED = { createMigration: dev.createMigration, evaluateDataLoss: dev.evaluateDataLoss };
/** RPC methods the bridge answers without the wasm engine, which cannot (its `introspectSql` overflows its stack). */
const BRIDGED = { introspectSql };

export class EngineError extends Error {
  constructor(data) {
    super(data.message);
    this.data = data;
  }
}

/**
 * Runs RPC methods on the wasm engine. Each call gets a fresh engine instance: once an instance has applied
 * migrations it no longer finds its shadow database factory, and `migrate dev` applies, then diffs.
 */
export class Engine {
  #SchemaEngine;
  #datamodels;
  #datasource;
  #probed = false;

  constructor({ datamodelPaths, datasource }) {
    this.#datamodels = Promise.all(datamodelPaths.map(async (p) => [p, await readFile(p, "utf8")]));
    this.#datasource = datasource;
  }

  async call(method, params) {
    const offline = !this.#needsDatabase(method, params);
    if (!offline) await this.#ensureReachable();
    if (BRIDGED[method]) return BRIDGED[method]({ ...params, url: params?.url || this.#datasource?.url });
    this.#SchemaEngine ??= await loadSchemaEngine();
    const run = (wasmMethod, wasmParams, options) => this.#run(wasmMethod, wasmParams, options);
    if (COMPOSED[method]) return COMPOSED[method](run, params);
    const wasmMethod = WASM_METHOD[method] ?? method;
    if (typeof this.#SchemaEngine.prototype[wasmMethod] !== "function") {
      throw new EngineError({ is_panic: false, message: `Unknown method \`${method}\``, error_code: null });
    }
    return run(wasmMethod, params, { offline });
  }

  async #run(wasmMethod, params, options) {
    const datamodels = await this.#datamodels;
    const adapters = createAdapterFactory(this.#datasource, options);
    takeLastServerError();
    let engine;
    try {
      engine = await this.#SchemaEngine.new(
        { datamodels: datamodels.length > 0 ? datamodels : undefined },
        forwardWasmLog,
        adapters.factory,
      );
      return await engine[wasmMethod](params ?? undefined);
    } catch (error) {
      throw toEngineError(error, adapters.externalError, takeLastServerError());
    } finally {
      engine?.free();
      await adapters.close();
    }
  }

  /**
   * A diff between schema files, or from empty, needs no server; a migrations folder needs one only to replay it
   * on, which a configured shadow database URL provides.
   */
  #needsDatabase(method, params) {
    if (method !== "diff") return true;
    return [params?.from, params?.to].some(
      (side) =>
        side?.tag === "url" ||
        side?.tag === "schemaDatasource" ||
        (side?.tag === "migrations" && !this.#datasource?.shadowDatabaseUrl),
    );
  }

  // The wasm engine words a failed connection without the P-code the CLI keys its messages on; ask the server
  // first so a wrong password, a missing database or a dead host read as they do with the native engine.
  async #ensureReachable() {
    if (this.#probed) return;
    const url = this.#datasource?.url;
    if (!url) {
      throw new EngineError({
        is_panic: false,
        message: "The schema engine needs a datasource URL: set `datasource.url` in prisma.config.ts.",
        error_code: null,
      });
    }
    try {
      await probe(url);
    } catch (error) {
      const known = connectionError(error, url);
      throw new EngineError({ is_panic: false, message: known?.message ?? error.message, error_code: known?.error_code ?? null });
    }
    this.#probed = true;
  }
}

/**
 * Rewrites whatever the wasm engine threw as the data of a JSON-RPC error response.
 * @param {any} error
 * @param {(id: number) => any} [externalError]
 * @param {any} [serverError]
 */
export function toEngineError(error, externalError = () => undefined, serverError = undefined) {
  if (error instanceof EngineError) return error;
  const panic = takePanicMessage();
  if (panic !== undefined || error instanceof WebAssembly.RuntimeError || error instanceof RangeError) {
    return new EngineError({
      is_panic: true,
      message: panic ?? `The wasm schema engine crashed: ${error?.message ?? error}`,
      error_code: null,
    });
  }
  const message = String(error?.message ?? error).replace(
    /External error id#(\d+)/g,
    (text, id) => externalError(Number(id))?.message ?? text,
  );
  const failedMigration = message.match(/apply_script\s+with migration_name="([^"]+)"/)?.[1];
  if (typeof error?.code !== "string" && serverError && failedMigration) {
    return new EngineError({ is_panic: false, message: migrationFailed(failedMigration, serverError), error_code: "P3018" });
  }
  return new EngineError({
    is_panic: false,
    message,
    ...(error?.meta && { meta: error.meta }),
    error_code: typeof error?.code === "string" ? error.code : null,
  });
}
