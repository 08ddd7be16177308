// Prisma stops waiting for a transaction's connection after `maxWait` with P2028 "Unable to start a transaction in the
// given time", which does not say why. The pool knows: with every connection handed out it is busy, with room left
// the database did not answer in time. The error is tagged with the pool's state at that moment, as a failed connect
// is (lib/db/acquire-state.ts), and lib/db/errors.ts reads it.
import { Prisma } from "#db/client";
import type { AcquireState } from "@/lib/db/acquire-state";
import { isTransactionStartTimeout } from "@/lib/db/errors";

type Transacting = { $transaction: (...args: unknown[]) => Promise<unknown> };

const transactionStartState = (acquireState: () => AcquireState | undefined) =>
  Prisma.defineExtension((client) =>
    client.$extends({
      name: "transaction-start-state",
      client: {
        $transaction: ((...args: unknown[]) =>
          (client as unknown as Transacting).$transaction(...args).catch((error: unknown) => {
            const state = isTransactionStartTimeout(error) ? acquireState() : undefined;
            if (state) Object.assign(error as object, { acquireState: state });
            throw error;
          })) as typeof client.$transaction,
      },
    }),
  );

/**
 * `client` with the pool's state on its failed transaction starts. Apply it last: it calls the `$transaction` of the
 * client it wraps, which builds the transaction's client from its own extensions. It adds no API, so the type stays.
 */
export function withTransactionStartState<T>(client: T, acquireState: () => AcquireState | undefined): T {
  const extensible = client as unknown as { $extends: (extension: ReturnType<typeof transactionStartState>) => unknown };
  return extensible.$extends(transactionStartState(acquireState)) as T;
}
