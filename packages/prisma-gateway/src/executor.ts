// Prisma's own query-plan interpreter and transaction manager (@prisma/client-engine-runtime, the code that
// @prisma/query-plan-executor wraps and that Prisma Client runs in-process with a driver adapter) over the gateway's
// pool. A plan arrives compiled by the client; this runs it and answers what the client would have computed itself.
import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  normalizeJsonProtocolValues,
  QueryInterpreter,
  TransactionManager,
  type QueryEvent,
  type QueryPlanNode,
  type TracingHelper,
} from "@prisma/client-engine-runtime";
import type { IsolationLevel, SqlDriverAdapter, Transaction } from "@prisma/driver-adapter-utils";
import type pg from "pg";

export type TransactionOptions = { timeout?: number; maxWait?: number; isolationLevel?: IsolationLevel; newTxId?: string };

/** Runs once when the connection a transaction holds goes back to the pool, however the transaction ended. */
type Release = () => void;
const releasing = new AsyncLocalStorage<Release>();

export async function createExecutor({
  pool,
  tracingHelper,
  limits,
  onQuery,
}: {
  pool: pg.Pool;
  tracingHelper: TracingHelper;
  limits: { maxTransactionTimeoutMs: number; maxTransactionWaitMs: number };
  /** Every statement with its duration; left out, nothing is timed. */
  onQuery?: (event: QueryEvent) => void;
}) {
  // The pool is the gateway's: the adapter uses it and leaves closing it to the gateway.
  const adapter = releaseTracked(await new PrismaPg(pool).connect());
  const transactions = new TransactionManager({
    driverAdapter: adapter,
    transactionOptions: { timeout: limits.maxTransactionTimeoutMs, maxWait: limits.maxTransactionWaitMs },
    tracingHelper,
    onQuery,
    provider: "postgres",
  });
  const connectionInfo = adapter.getConnectionInfo?.() ?? { supportsRelationJoins: false };
  const interpreter = QueryInterpreter.forSql({ tracingHelper, onQuery, provider: "postgres", connectionInfo });

  return {
    connectionInfo: () => ({ provider: adapter.provider, connectionInfo }),

    /** A plan outside a transaction (`transactionId` null) or inside one this instance holds. */
    async query(plan: QueryPlanNode, params: Record<string, unknown>, comments: Record<string, string> | undefined, transactionId: string | null) {
      const queryable = transactionId === null ? adapter : await transactions.getTransaction({ id: transactionId }, "query");
      // Comments the client computed (route, request id, traceparent) are appended as they are.
      const sqlCommenter = comments && Object.keys(comments).length > 0
        ? { plugins: [() => comments], queryInfo: { type: "single" as const, action: "queryRaw" as const, query: {} } }
        : undefined;
      const result = await interpreter.run(plan, {
        queryable,
        transactionManager: transactionId === null ? { enabled: true, manager: transactions } : { enabled: false },
        scope: params,
        sqlCommenter,
      });
      return normalizeJsonProtocolValues(result);
    },

    /** Starts an interactive transaction; `release` runs once when its connection goes back to the pool. */
    async startTransaction(options: TransactionOptions, release: Release) {
      // The client's own timeouts, capped by the gateway's.
      const bounded = {
        ...options,
        timeout: Math.min(options.timeout ?? limits.maxTransactionTimeoutMs, limits.maxTransactionTimeoutMs),
        maxWait: Math.min(options.maxWait ?? limits.maxTransactionWaitMs, limits.maxTransactionWaitMs),
      };
      return releasing.run(release, () => transactions.startTransaction(bounded));
    },
    commit: (id: string) => transactions.commitTransaction(id),
    rollback: (id: string) => transactions.rollbackTransaction(id),
    /** Rolls back every open transaction and lets go of the adapter; the pool stays the caller's to end. */
    async close() {
      try {
        await transactions.cancelAllTransactions();
      } finally {
        await adapter.dispose();
      }
    },
  };
}

export type Executor = Awaited<ReturnType<typeof createExecutor>>;

// The transaction manager closes a transaction on commit, rollback, its timeout or shutdown, and each of those hands
// the connection back through the driver transaction's commit() or rollback(): the one place to count it closed.
function releaseTracked(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const release = once(releasing.getStore());
    const transaction: Transaction = await startTransaction(isolationLevel);
    const commit = transaction.commit.bind(transaction);
    const rollback = transaction.rollback.bind(transaction);
    transaction.commit = () => commit().finally(release);
    transaction.rollback = () => rollback().finally(release);
    return transaction;
  };
  return adapter;
}

function once(run: Release | undefined): Release {
  let done = false;
  return () => {
    if (done || !run) return;
    done = true;
    run();
  };
}
