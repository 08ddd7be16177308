// Every statement this process sends through node-postgres, as sent: its text and values, and, when asked, the plan
// PostgreSQL ran it with. The plan comes from running the same statement under EXPLAIN ANALYZE, on the same
// connection and just before it, inside a savepoint (or a transaction) that is rolled back: it sees exactly the rows
// the statement will see, and a write's trial leaves nothing behind.
import pg from "pg";

export type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  "Rows Removed by Join Filter"?: number;
  Plans?: PlanNode[];
};

export type SentStatement = { text: string; values: unknown[]; plan?: PlanNode };

type Callback = (error: Error | null, result?: unknown) => void;
type QueryConfig = { text: string; values?: unknown[] };
type Client = pg.Client & { inTransaction?: boolean };

const explainable = /^\s*(select|insert|update|delete|with)\b/i;

/** Records statements while `run` runs; with `explain`, each one that reads or writes also gets its plan. */
export async function recordStatements<T>(run: () => Promise<T>, { explain = false } = {}): Promise<{ result: T; statements: SentStatement[] }> {
  const statements: SentStatement[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-postgres's query() has a dozen overloads
  const prototype = pg.Client.prototype as unknown as { query: (...args: any[]) => unknown };
  const original = prototype.query;
  prototype.query = function (this: Client, config: string | QueryConfig, values?: unknown[] | Callback, callback?: Callback) {
    const text = typeof config === "string" ? config : config?.text;
    if (typeof text !== "string") return original.call(this, config, values, callback);
    const params = Array.isArray(values) ? values : typeof config === "object" ? (config.values ?? []) : [];
    const sent: SentStatement = { text, values: params };
    statements.push(sent);
    const keyword = text.trim().split(/\s+/)[0]!.toUpperCase();
    if (keyword === "BEGIN") this.inTransaction = true;
    if (keyword === "COMMIT" || keyword === "ROLLBACK") this.inTransaction = false;
    if (!explain || !explainable.test(text)) return original.call(this, config, values, callback);
    const trial = planOf(this, original, text, params).then((plan) => void (sent.plan = plan));
    const done = typeof values === "function" ? values : callback;
    if (done) {
      trial.then(() => original.call(this, config, values, callback), (error: Error) => done(error));
      return undefined;
    }
    return trial.then(() => original.call(this, config, values));
  };
  try {
    return { result: await run(), statements };
  } finally {
    prototype.query = original;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function planOf(client: Client, query: (...args: any[]) => unknown, text: string, values: unknown[]): Promise<PlanNode> {
  const send = (sql: string, params?: unknown[]) => query.call(client, sql, params) as Promise<pg.QueryResult>;
  const [open, close] = client.inTransaction ? ["SAVEPOINT plan_trial", "ROLLBACK TO SAVEPOINT plan_trial"] : ["BEGIN", "ROLLBACK"];
  await send(open);
  try {
    const { rows } = await send(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, values);
    return (rows[0]["QUERY PLAN"] as [{ Plan: PlanNode }])[0].Plan;
  } finally {
    await send(close);
  }
}

/** Every node of a plan, its sub-plans and init-plans included. */
export function* planNodes(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* planNodes(child);
}

/** The rows a node read: the ones it passed on and the ones it looked at and dropped, over all its loops. */
export const rowsRead = (node: PlanNode) =>
  (node["Actual Rows"] + (node["Rows Removed by Filter"] ?? 0) + (node["Rows Removed by Index Recheck"] ?? 0) + (node["Rows Removed by Join Filter"] ?? 0)) *
  node["Actual Loops"];
