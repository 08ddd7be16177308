# workerd's configuration for the app's API:
#   tsx runtimes/workerd/build.ts
#   workerd serve runtimes/workerd/config.capnp --socket-addr http=127.0.0.1:8787
# The app's env variables are read from workerd's own environment, so it runs on the contract of lib/env.ts.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "api", worker = .api),
    # Where the worker's outbound TCP goes (pg's cloudflare:sockets): this machine's loopback only.
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "api")],
);

const api :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
    (name = "query_compiler_fast_bg.wasm", wasm = embed "dist/query_compiler_fast_bg.wasm"),
  ],
  # From 2026-08-04 on, nodejs_compat is the default: node:* modules and AsyncLocalStorage. Bindings are copied
  # into process.env by process-env.ts, which leaves an unset one unset rather than "null".
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["nodejs_compat_do_not_populate_process_env"],
  globalOutbound = "loopback",
  bindings = [
    (name = "DATABASE_URL", fromEnvironment = "DATABASE_URL"),
    (name = "DB_READ_REPLICA_URLS", fromEnvironment = "DB_READ_REPLICA_URLS"),
    (name = "DB_POOL_MAX", fromEnvironment = "DB_POOL_MAX"),
    (name = "DB_EDGE_POOL_MAX", fromEnvironment = "DB_EDGE_POOL_MAX"),
    (name = "DB_POOL_ACQUIRE_TIMEOUT_MS", fromEnvironment = "DB_POOL_ACQUIRE_TIMEOUT_MS"),
    (name = "DB_POOL_IDLE_TIMEOUT_MS", fromEnvironment = "DB_POOL_IDLE_TIMEOUT_MS"),
    (name = "DB_POOL_MAX_LIFETIME_S", fromEnvironment = "DB_POOL_MAX_LIFETIME_S"),
    (name = "DB_POOL_MAX_USES", fromEnvironment = "DB_POOL_MAX_USES"),
    (name = "DB_STATEMENT_TIMEOUT_MS", fromEnvironment = "DB_STATEMENT_TIMEOUT_MS"),
    (name = "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", fromEnvironment = "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS"),
    (name = "DB_APPLICATION_NAME", fromEnvironment = "DB_APPLICATION_NAME"),
    (name = "DB_EDGE_PROXY_URL", fromEnvironment = "DB_EDGE_PROXY_URL"),
    (name = "DB_GATEWAY_URL", fromEnvironment = "DB_GATEWAY_URL"),
    (name = "DB_EDGE_TRANSPORT", fromEnvironment = "DB_EDGE_TRANSPORT"),
    (name = "DB_PREPARED_STATEMENTS", fromEnvironment = "DB_PREPARED_STATEMENTS"),
    (name = "DB_SSL_MODE", fromEnvironment = "DB_SSL_MODE"),
    (name = "DB_SHUTDOWN_TIMEOUT_MS", fromEnvironment = "DB_SHUTDOWN_TIMEOUT_MS"),
    (name = "CACHE_NOTIFY_URL", fromEnvironment = "CACHE_NOTIFY_URL"),
    (name = "CACHE_LISTEN_NOTIFY", fromEnvironment = "CACHE_LISTEN_NOTIFY"),
    (name = "REDIS_URL", fromEnvironment = "REDIS_URL"),
    (name = "CACHE_DEFAULT_SWR_S", fromEnvironment = "CACHE_DEFAULT_SWR_S"),
    (name = "CACHE_DEFAULT_TTL_S", fromEnvironment = "CACHE_DEFAULT_TTL_S"),
    (name = "CACHE_L1_MAX_MB", fromEnvironment = "CACHE_L1_MAX_MB"),
    (name = "CACHE_ENABLED", fromEnvironment = "CACHE_ENABLED"),
    (name = "TRACE_QUERY_PARAMETERS", fromEnvironment = "TRACE_QUERY_PARAMETERS"),
    (name = "TRACE_NEXT_SPANS", fromEnvironment = "TRACE_NEXT_SPANS"),
    (name = "METRICS_TOKEN", fromEnvironment = "METRICS_TOKEN"),
    (name = "API_WRITE_TOKENS", fromEnvironment = "API_WRITE_TOKENS"),
    (name = "LOG_LEVEL", fromEnvironment = "LOG_LEVEL"),
    (name = "DB_SQL_COMMENTS", fromEnvironment = "DB_SQL_COMMENTS"),
    (name = "DB_SLOW_QUERY_MS", fromEnvironment = "DB_SLOW_QUERY_MS"),
  ],
);
