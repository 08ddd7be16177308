// Hears the NOTIFY that the cache_notify triggers send when any client, psql included, changes a table. One
// dedicated connection per process, outside the pool: a transaction pooler cannot hold a LISTEN.
import pg from "pg";
import type { Report } from "./logger.ts";

export const notifyChannel = "cache_invalidation";

type ListenerOptions = {
  url: string;
  /** Tables a committed statement changed. */
  onTables: (tables: string[]) => void;
  /** The connection is listening again; changes made while it was down were not heard. */
  onUp: () => Promise<void>;
  applicationName: string;
  report: Report;
};

export type NotifyListener = { up: () => boolean; close: () => Promise<void> };

// No answer within this long, to a connect, a LISTEN or a ping, counts as a lost connection.
const answerTimeoutMs = 5_000;

// end() waits for the server to close the socket, which a server that is gone never does: its socket is let go.
const destroy = (client: pg.Client) => (client as unknown as { connection?: { stream?: { destroy: () => void } } }).connection?.stream?.destroy();

export function startNotifyListener({ url, onTables, onUp, applicationName, report }: ListenerOptions): NotifyListener {
  let client: pg.Client | undefined;
  let up = false;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let ping: NodeJS.Timeout | undefined;

  const down = (reason: string) => {
    if (closed) return;
    const wasUp = up;
    up = false;
    clearInterval(ping);
    const lost = client;
    lost?.removeAllListeners();
    lost?.on("error", () => {});
    void lost?.end().catch(() => {});
    if (lost) setTimeout(() => destroy(lost), answerTimeoutMs).unref();
    client = undefined;
    if (wasUp) report(`NOTIFY listener lost (${reason}); reads bypass the cache until it is back`);
    if (!retry) {
      // 100 ms, doubling to 5 s, with jitter so that processes do not reconnect in step.
      const delay = Math.min(5_000, 100 * 2 ** failures++) * (0.5 + Math.random() / 2);
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, delay);
      retry.unref();
    }
  };

  const connect = async () => {
    if (closed) return;
    // A connect or a query that never answers (a dropped SYN, a machine gone) would otherwise wait forever, with the
    // listener neither up nor retried.
    const next = new pg.Client({
      connectionString: url,
      keepAlive: true,
      application_name: applicationName,
      connectionTimeoutMillis: answerTimeoutMs,
      query_timeout: answerTimeoutMs,
    });
    client = next;
    next.on("error", (error) => down(error.message));
    next.on("end", () => down("connection ended"));
    next.on("notification", ({ channel, payload }) => {
      if (channel === notifyChannel && payload) onTables(payload.split(","));
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${notifyChannel}`);
      await onUp();
      if (client !== next || closed) return;
      up = true;
      failures = 0;
      // A connection that silently vanished (no FIN: a machine gone, a network split) is only noticed by using it;
      // a ping into it fails by `query_timeout`. Until a new connection LISTENs (on whichever server leads by then),
      // reads bypass the cache.
      ping = setInterval(() => void next.query("select 1").catch((error: Error) => client === next && down(error.message)), 5_000);
      ping.unref();
    } catch (error) {
      if (client === next) down((error as Error).message);
    }
  };

  void connect();
  return {
    up: () => up,
    close: async () => {
      closed = true;
      up = false;
      clearTimeout(retry);
      clearInterval(ping);
      const last = client;
      if (!last) return;
      const gone = setTimeout(() => destroy(last), answerTimeoutMs);
      await last.end().catch(() => {});
      clearTimeout(gone);
    },
  };
}
