// Load against a running server (`bun run start` or `bun run dev` in another terminal), both runtimes in turn:
// throughput, latency percentiles, status counts, and the most database sessions the app held at once.
//   bun run load [-- --url http://localhost:3000 --connections 50 --duration 10]
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.LOAD_URL ?? "http://localhost:3000" },
    connections: { type: "string", default: "50" },
    duration: { type: "string", default: "10" },
  },
});
const connections = Number(values.connections);
const duration = Number(values.duration);
const applicationName = process.env.DB_APPLICATION_NAME ?? "sprite-store";

const scenarios = [
  { name: "list projects, Node.js", path: "/api/projects?limit=20" },
  { name: "list projects, edge", path: "/api/edge/projects?limit=20" },
  { name: "health, Node.js", path: "/api/health" },
  { name: "health, edge", path: "/api/edge/health" },
];

const monitor = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: "load-monitor" });
await monitor.connect();

const rows = [];
for (const scenario of scenarios) {
  let peak = 0;
  const poll = setInterval(async () => {
    const { rows } = await monitor.query(
      "select count(*)::int as n from pg_stat_activity where application_name in ($1, $1 || '/edge')",
      [applicationName],
    );
    peak = Math.max(peak, rows[0].n);
  }, 50);
  const result = await autocannon({ url: `${values.url}${scenario.path}`, connections, duration });
  clearInterval(poll);
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([code, { count }]) => `${code}:${count}`)
    .join(" ");
  rows.push({
    scenario: scenario.name,
    "req/s": Math.round(result.requests.average),
    "p50 ms": result.latency.p50,
    "p99 ms": result.latency.p99,
    statuses: statuses + (result.errors ? ` errors:${result.errors}` : "") + (result.timeouts ? ` timeouts:${result.timeouts}` : ""),
    "peak backends": peak,
  });
}
await monitor.end();

console.log(`\n${connections} connections for ${duration} s each against ${values.url}`);
console.table(rows);
