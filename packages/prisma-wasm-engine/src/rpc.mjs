// @ts-check
import readline from "node:readline";
import { Engine, EngineError, toEngineError } from "./engine.mjs";
import { log } from "./log.mjs";

const send = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);

const errorResponse = (id, error) => ({
  id,
  error: {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    // The CLI shows `data.error.message` for a panic, else the generic line above.
    data: error.data.is_panic ? { ...error.data, error: { message: error.data.message } } : error.data,
  },
});

let printId = 0;
/** The engine's way to write to the user's terminal: the CLI prints `content` and acknowledges. */
const print = (content) => send({ id: ++printId, method: "print", params: { content } });

/**
 * JSON-RPC over stdio, one message a line, requests answered one at a time in arrival order. With `refused` (flags
 * the engine cannot honour), every request is answered with that error instead.
 * @param {{ datamodelPaths: string[], datasource: any, refused?: string }} options
 */
export function serve({ datamodelPaths, datasource, refused = undefined }) {
  const engine = refused ? refusingEngine(refused) : new Engine({ datamodelPaths, datasource });
  let queue = Promise.resolve();
  let current;

  readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
    .on("line", (line) => {
      if (!line.trim()) return;
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        log("ERROR", `Could not parse a JSON-RPC message: ${line.slice(0, 200)}`);
        return;
      }
      // Acknowledgements of our `print` calls need no answer.
      if (message.method === undefined) return;
      queue = queue.then(() => (current = message.id, handle(engine, message)));
    })
    .on("close", () => queue.then(() => process.exit(0)));

  // A wasm trap can surface outside the awaited call (inside a promise callback of the glue). Answer the request
  // in flight as a panic rather than dying silently, which the CLI would read as success.
  const crash = (error) => {
    if (current !== undefined) send(errorResponse(current, toEngineError(error)));
    else log("ERROR", `schema engine crashed: ${error?.stack ?? error}`, { is_panic: true });
    process.exitCode = 101;
    process.stdout.write("", () => process.exit(101));
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
}

/** @param {string} message */
function refusingEngine(message) {
  return {
    async call() {
      throw new EngineError({ is_panic: false, message, error_code: null });
    },
  };
}

async function handle(engine, { id, method, params }) {
  try {
    const result = await engine.call(method, params);
    send({ id, result: await present(method, result) });
  } catch (error) {
    const engineError = toEngineError(error);
    send(errorResponse(id, engineError));
    if (engineError.data.is_panic) process.stdout.write("", () => process.exit(101));
  }
}

/** Where the native engine talks to the user through `print` instead of its result, do the same. */
async function present(method, result) {
  if (method === "diff") {
    const { stdout, ...rest } = result;
    if (stdout) print(stdout.replace(/\n$/, ""));
    return rest;
  }
  if (method === "applyMigrations") {
    for (const name of result.appliedMigrationNames) print(`Applying migration \`${name}\``);
  }
  if (method === "dbExecute" || method === "reset") return result ?? {};
  return result ?? null;
}
