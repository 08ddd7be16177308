// A high-availability PostgreSQL on this machine (ops/ha/: etcd, Patroni nodes, HAProxy) with the project's
// migrations applied, until Ctrl-C. Prints the URLs the app takes.
//   tsx scripts/ha-up.ts [--nodes 2|3]
import { parseArgs } from "node:util";
import { startHaCluster } from "./support/ha-cluster";
import { deployMigrations, withAdmin } from "./support/postgres-admin";

const { values } = parseArgs({ options: { nodes: { type: "string", default: "2" } } });
const nodes = Number(values.nodes);
if (!Number.isInteger(nodes) || nodes < 2 || nodes > 3) {
  console.error("usage: bun run ha:up [-- --nodes 2|3]");
  process.exit(2);
}

const started = performance.now();
console.error(`Starting etcd, ${nodes} Patroni nodes (PostgreSQL 15) and HAProxy...`);
const cluster = await startHaCluster({ nodes }).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.error("Stopping the cluster...");
  await cluster.stop();
  process.exit(code);
};
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop(0));

try {
  await withAdmin(cluster.writeUrl(), (admin) => admin.query("create database app"));
  deployMigrations(cluster.writeUrl("app"));
} catch (error) {
  console.error((error as Error).message);
  await stop(1);
}

const leader = await cluster.leader();
console.error(`Ready in ${((performance.now() - started) / 1000).toFixed(1)} s, data in ${cluster.dir}. Leader: ${leader.name}.`);
for (const node of cluster.nodes) console.error(`  ${node.name}: PostgreSQL 127.0.0.1:${node.pgPort}, Patroni REST http://127.0.0.1:${node.restPort}`);
console.log(`DATABASE_URL=${cluster.writeUrl("app")}`);
console.log(`DB_READ_REPLICA_URLS=${cluster.readUrl("app")}`);
console.error("Ctrl-C stops it and deletes its data.");
