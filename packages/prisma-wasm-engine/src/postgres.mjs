// @ts-check
import pg from "pg";

/**
 * A Prisma datasource URL split into what `pg` understands and what only Prisma does. `?schema=` is Prisma's: pg
 * would ignore it, so it becomes the connection's search_path (the adapter's own `schema` option does not set it).
 * @param {string} url
 */
export function parseUrl(url) {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? undefined;
  parsed.searchParams.delete("schema");
  const host = parsed.searchParams.get("host") ?? (parsed.hostname || "localhost");
  const port = parsed.port || "5432";
  const user = decodeURIComponent(parsed.username) || process.env.USER || "postgres";
  const database = decodeURIComponent(parsed.pathname.slice(1)) || user;
  return {
    schema,
    database,
    user,
    location: `${host.replace(/^\[|\]$/g, "")}:${port}`,
    pgConfig: {
      connectionString: parsed.toString(),
      ...(schema && { options: `-c search_path=${quoteIdent(schema).replace(/([\\ ])/g, "\\$1")}` }),
      connectionTimeoutMillis: 5_000,
    },
  };
}

/**
 * The same server and credentials, another database. pg lets a URL's database win over a `database` option.
 * @param {string} url
 * @param {string} database
 */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export const quoteIdent = (/** @type {string} */ name) => `"${name.replaceAll('"', '""')}"`;

/**
 * Runs `task` on a client connected to the server's maintenance database, as the native engine does.
 * @template T
 * @param {string} url
 * @param {(admin: pg.Client) => Promise<T>} task
 * @returns {Promise<T>}
 */
export async function withAdmin(url, task) {
  const client = new pg.Client(parseUrl(withDatabase(url, "postgres")).pgConfig);
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** @param {string} url @param {string} database */
export async function createDatabase(url, database) {
  await withAdmin(url, (admin) => admin.query(`CREATE DATABASE ${quoteIdent(database)}`));
}

/** @param {string} url @param {string} database @param {{ force?: boolean }} [options] */
export async function dropDatabase(url, database, { force = false } = {}) {
  await withAdmin(url, (admin) =>
    admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}${force ? " WITH (FORCE)" : ""}`),
  );
}

/**
 * Resolves when the URL's database accepts a connection; rejects with the error the server or socket gave.
 * @param {string} url
 */
export async function probe(url) {
  const client = new pg.Client(parseUrl(url).pgConfig);
  try {
    await client.connect();
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The native engine's user-facing error (P-code and wording) for a failed connection, or undefined when the error
 * is not about connecting. Only user, database and host:port are named: never the password.
 * @param {any} error
 * @param {string} url
 * @returns {{ error_code: string, message: string } | undefined}
 */
export function connectionError(error, url) {
  const { user, database, location } = parseUrl(url);
  switch (error?.code) {
    case "28P01":
      return {
        error_code: "P1000",
        message: `Authentication failed against database server, the provided database credentials for \`${user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at the configured address.`,
      };
    case "28000":
      return {
        error_code: "P1010",
        message: `User \`${user}\` was denied access on the database \`${database}\``,
      };
    case "3D000":
      return {
        error_code: "P1003",
        message: `Database \`${database}\` does not exist on the database server at \`${location}\`.`,
      };
    case "42P04":
      return {
        error_code: "P1009",
        message: `Database \`${database}\` already exists on the database server at \`${location}\``,
      };
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return {
        error_code: "P1001",
        message: `Can't reach database server at \`${location}\`\n\nPlease make sure your database server is running at \`${location}\`.`,
      };
    case "ETIMEDOUT":
      return {
        error_code: "P1002",
        message: `The database server at \`${location}\` was reached but timed out.\n\nPlease try again.\n\nPlease make sure your database server is running at \`${location}\`.`,
      };
  }
  if (/timeout/i.test(error?.message ?? "")) return connectionError({ code: "ETIMEDOUT" }, url);
  // pg fails on the client side, before any server code, when the server asks for a password it was not given.
  if (/password/i.test(error?.message ?? "")) return connectionError({ code: "28P01" }, url);
  return undefined;
}
