// The steps every runtime is put through, over HTTP against a running server. They report what happened; the
// caller (a test, `bun run runtimes`) decides what is right.
import type pg from "pg";

// A JSON answer whose shape the caller checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Answer = { status: number; body: any; headers: Headers };

/** `headers`: sent with the request, e.g. the `Authorization` a server with API_WRITE_TOKENS wants for writes. */
export async function call(url: string, method = "GET", body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

/** Create, read, update, delete and read again one project: each step's status and the name read back. */
export async function projectLifecycle(api: string, slug: string, writeHeaders: Record<string, string> = {}) {
  const created = await call(`${api}/projects`, "POST", { slug, name: "Created" }, writeHeaders);
  const id = created.body?.id;
  const read = await call(`${api}/projects/${id}`);
  const updated = await call(`${api}/projects/${id}`, "PATCH", { name: "Updated" }, writeHeaders);
  const reread = await call(`${api}/projects/${id}`);
  const deleted = await call(`${api}/projects/${id}`, "DELETE", undefined, writeHeaders);
  const gone = await call(`${api}/projects/${id}`);
  return {
    statuses: [created.status, read.status, updated.status, reread.status, deleted.status, gone.status],
    names: [read.body?.name, reread.body?.name],
  };
}

/** `count` frames appended at once to a new animation: their statuses and the indexes they got, sorted. */
export async function concurrentAppends(api: string, slug: string, count: number, writeHeaders: Record<string, string> = {}) {
  const project = await call(
    `${api}/projects`,
    "POST",
    { slug, name: "Frames", characters: [{ name: "hero", animations: [{ name: "idle" }] }] },
    writeHeaders,
  );
  const animationId = project.body.characters[0].animations[0].id;
  const frame = { image: "/f.png", width: 8, height: 8 };
  const answers = await Promise.all(
    Array.from({ length: count }, () => call(`${api}/animations/${animationId}/frames`, "POST", frame, writeHeaders)),
  );
  return {
    projectId: project.body.id as string,
    statuses: answers.map((a) => a.status),
    failures: answers.filter((a) => a.status !== 201).map((a) => a.body),
    indexes: answers.map((a) => a.body?.index as number).sort((a, b) => a - b),
  };
}

/** Sessions of `applicationName` on the server `admin` is connected to. */
export async function backends(admin: pg.Client, applicationName: string): Promise<number> {
  const { rows } = await admin.query("select count(*)::int as n from pg_stat_activity where application_name = $1", [
    applicationName,
  ]);
  return rows[0].n;
}

/** Polls until the session count is `expected` or `deadlineMs` passes; returns the last count seen. */
export async function settleBackends(admin: pg.Client, applicationName: string, expected: number, deadlineMs: number) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const count = await backends(admin, applicationName);
    if (count === expected || Date.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
