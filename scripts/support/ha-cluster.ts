// A high-availability PostgreSQL on one machine, from ops/ha/: one etcd member, Patroni nodes each running a
// PostgreSQL 15 of its own (port, data directory), and HAProxy with a write port that follows the leader and a read
// port for the replicas. Everything lives in one scratch directory, on free ports, and goes when it stops.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./free-port";

const root = path.resolve(import.meta.dirname, "../..");
const binaries = {
  patroni: "/usr/bin/patroni",
  etcd: "/usr/bin/etcd",
  haproxy: "/usr/sbin/haproxy",
  postgres: "/usr/lib/postgresql/15/bin",
};

/** What is not installed, as `apt-get install` names it; empty when the cluster can start. */
export function missingHaPackages(): string[] {
  const missing: string[] = [];
  if (!existsSync(binaries.patroni)) missing.push("patroni");
  if (!existsSync(binaries.etcd)) missing.push("etcd-server");
  if (!existsSync(binaries.haproxy)) missing.push("haproxy");
  if (!existsSync(`${binaries.postgres}/postgres`)) missing.push("postgresql-15");
  return missing;
}

export type HaNode = {
  name: string;
  pgPort: number;
  restPort: number;
  /** A URL straight to this node's PostgreSQL, bypassing HAProxy. */
  url: (database?: string) => string;
  /** Its role now, as Patroni reports it: "leader", "sync_standby", "replica", or null when it does not answer. */
  role: () => Promise<string | null>;
  /** Starts its Patroni (again): a node that was killed rejoins. */
  start: () => void;
  /** A machine's death: SIGKILL to its Patroni, its postmaster and every process under them, all at once. */
  kill: () => void;
  /** SIGKILL to its postmaster alone; its Patroni lives on. */
  killPostmaster: () => void;
  running: () => boolean;
  logs: () => string;
};

export type HaCluster = {
  dir: string;
  /** HAProxy's port that reaches the leader, and the one that reaches a replica (the leader when none is up). */
  writeUrl: (database?: string) => string;
  readUrl: (database?: string) => string;
  nodes: HaNode[];
  /** The node Patroni says leads, waiting up to `timeoutMs` for there to be one. */
  leader: (timeoutMs?: number) => Promise<HaNode>;
  /** Waits until one node leads and every other running node is a replica; with `sync`, one of them synchronous. */
  settled: (options?: { sync?: boolean; timeoutMs?: number }) => Promise<void>;
  logs: () => string;
  stop: () => Promise<void>;
};

type Owned = { uid: number; gid: number } | undefined;

// PostgreSQL refuses to run as root: when this runs as root, the nodes run as the package's postgres user.
function postgresUser(): Owned {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  const uid = id("-u");
  if (!Number.isInteger(uid) || uid <= 0) throw new Error("Running as root needs the postgres user (apt-get install postgresql-15).");
  return { uid, gid: id("-g") };
}

const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/\$\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in values)) throw new Error(`no value for ${whole} in an ops/ha template`);
    return String(values[name]);
  });

/** Output kept for a report when something fails: the last 64 kB of each process. */
function capture(child: ChildProcess) {
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 65_536) output = output.slice(-65_536);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => output;
}

// Processes this module started, killed when the process exits without stopping them (a test run that crashed), and
// the postmasters, which Patroni detaches from itself.
const started = new Set<ChildProcess>();
const dataDirs = new Set<string>();
let exitHookSet = false;
function track(child: ChildProcess) {
  started.add(child);
  child.once("exit", () => started.delete(child));
  if (!exitHookSet) {
    exitHookSet = true;
    process.once("exit", () => {
      for (const process of started) process.kill("SIGKILL");
      for (const dataDir of dataDirs) killAll([postmasterOf(dataDir)].filter((pid) => pid !== undefined));
    });
  }
  return child;
}

function postmasterOf(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return pid && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once("exit", () => resolve()));

/** Every process under `pid`, from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) is in parentheses and may hold spaces: the parent's pid is the 2nd field after it.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const killAll = (pids: number[]) => {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
};

async function until<T>(read: () => Promise<T | undefined>, what: string, timeoutMs: number, logs: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s\n${logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return response.json();
}

export async function startHaCluster({ nodes: count = 2 }: { nodes?: number } = {}): Promise<HaCluster> {
  const missing = missingHaPackages();
  if (missing.length) throw new Error(`The HA cluster needs: apt-get install ${missing.join(" ")}`);
  if (count < 2 || count > 9) throw new Error("An HA cluster has 2 to 9 nodes.");
  const owner = postgresUser();
  const scratch = mkdtempSync(path.join(tmpdir(), "ha-"));
  chmodSync(scratch, 0o755);
  const scope = `ha-${path.basename(scratch).replace(/\W/g, "")}`;

  // Each probed free on its own, so the same one may come back twice.
  const free = new Set<number>();
  while (free.size < 4 + 2 * count) free.add(await freePort());
  const [etcdPort, etcdPeerPort, writePort, readPort, ...nodePorts] = [...free] as [number, number, number, number, ...number[]];
  const ports = Array.from({ length: count }, (_, i) => ({ pg: nodePorts[2 * i]!, rest: nodePorts[2 * i + 1]! }));

  const children: ChildProcess[] = [];
  const outputs: { name: string; output: () => string }[] = [];
  const logs = () => outputs.map(({ name, output }) => `--- ${name} ---\n${output().slice(-4_000)}`).join("\n");

  const etcd = track(
    spawn(
      binaries.etcd,
      [
        "--name=ha-etcd",
        `--data-dir=${scratch}/etcd`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=ha-etcd=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster-token=${scope}`,
        "--log-level=warn",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    ),
  );
  children.push(etcd);
  outputs.push({ name: "etcd", output: capture(etcd) });

  const nodeTemplate = readFileSync(path.join(root, "ops/ha/patroni.yml"), "utf8");
  const nodes: HaNode[] = ports.map(({ pg: pgPort, rest: restPort }, i) => {
    const name = `node${i + 1}`;
    const nodeDir = path.join(scratch, name);
    const dataDir = path.join(nodeDir, "data");
    const config = path.join(nodeDir, "patroni.yml");
    mkdirSync(nodeDir, { mode: 0o700 });
    writeFileSync(
      config,
      fill(nodeTemplate, { SCOPE: scope, NAME: name, REST_PORT: restPort, ETCD_PORT: etcdPort, PG_PORT: pgPort, DATA_DIR: dataDir, BIN_DIR: binaries.postgres, NODE_DIR: nodeDir }),
    );
    if (owner) for (const file of [nodeDir, config]) chownSync(file, owner.uid, owner.gid);
    let patroni: ChildProcess | undefined;
    let output = () => "";
    outputs.push({ name, output: () => output() });

    dataDirs.add(dataDir);
    const postmasterPid = () => postmasterOf(dataDir);
    return {
      name,
      pgPort,
      restPort,
      url: (database = "postgres") => `postgresql://postgres@127.0.0.1:${pgPort}/${database}`,
      role: async () => {
        const cluster = (await getJson(`http://127.0.0.1:${restPort}/cluster`).catch(() => null)) as { members?: { name: string; role: string; state: string }[] } | null;
        const me = cluster?.members?.find((member) => member.name === name);
        return me && me.state === "running" ? me.role : null;
      },
      start: () => {
        if (patroni && patroni.exitCode === null && patroni.signalCode === null) throw new Error(`${name} is running`);
        const env = { ...process.env, HOME: nodeDir, LANG: "C.UTF-8", LC_ALL: "C.UTF-8", PGPASSFILE: path.join(nodeDir, "pgpass") };
        patroni = track(spawn(binaries.patroni, [config], { cwd: nodeDir, env, stdio: ["ignore", "pipe", "pipe"], ...owner }));
        children.push(patroni);
        output = capture(patroni);
      },
      kill: () => {
        if (!patroni?.pid) return;
        // Patroni starts the postmaster detached (its parent is init): both trees, listed first and killed in one go,
        // so that no process sees another die first and acts on it.
        const postmaster = postmasterPid();
        killAll([patroni.pid, ...descendants(patroni.pid), ...(postmaster ? [postmaster, ...descendants(postmaster)] : [])]);
      },
      killPostmaster: () => {
        const pid = postmasterPid();
        if (!pid) throw new Error(`${name} has no postmaster`);
        killAll([pid]);
      },
      running: () => !!patroni && patroni.exitCode === null && patroni.signalCode === null,
      logs: () => output(),
    };
  });

  const stop = async () => {
    const haproxyProcesses = children.filter((child) => child.spawnfile === binaries.haproxy);
    for (const child of haproxyProcesses) child.kill("SIGKILL");
    // Patroni stops its PostgreSQL (fast shutdown) on SIGTERM; etcd must outlive them for that.
    const patronis = children.filter((child) => child.spawnfile === binaries.patroni && child.exitCode === null && child.signalCode === null);
    for (const child of patronis) child.kill("SIGTERM");
    const stopped = Promise.all(patronis.map(exited));
    const timeout = new Promise((resolve) => setTimeout(resolve, 15_000).unref());
    await Promise.race([stopped, timeout]);
    for (const child of patronis) if (child.pid) killAll([child.pid, ...descendants(child.pid)]);
    // A postmaster whose Patroni was killed first lives on by itself.
    for (const node of ports.keys()) {
      const dataDir = path.join(scratch, `node${node + 1}`, "data");
      const pid = postmasterOf(dataDir);
      if (pid) killAll([pid, ...descendants(pid)]);
      dataDirs.delete(dataDir);
    }
    etcd.kill("SIGKILL");
    await Promise.all(children.map(exited));
    rmSync(scratch, { recursive: true, force: true });
  };

  try {
    await until(
      async () => ((await getJson(`http://127.0.0.1:${etcdPort}/health`)) as { health?: string }).health === "true" || undefined,
      "etcd did not answer",
      15_000,
      logs,
    );
    for (const node of nodes) node.start();

    const serverLine = (node: HaNode) => `  server ${node.name} 127.0.0.1:${node.pgPort} check port ${node.restPort}`;
    const haproxyConfig = path.join(scratch, "haproxy.cfg");
    const servers = nodes.map(serverLine).join("\n");
    writeFileSync(
      haproxyConfig,
      fill(readFileSync(path.join(root, "ops/ha/haproxy.cfg"), "utf8"), { WRITE_PORT: writePort, READ_PORT: readPort, LEADER_SERVERS: servers, REPLICA_SERVERS: servers }),
    );
    // -db: in the foreground, not a daemon, so that it stops with this process.
    const haproxy = track(spawn(binaries.haproxy, ["-db", "-f", haproxyConfig], { stdio: ["ignore", "pipe", "pipe"] }));
    children.push(haproxy);
    outputs.push({ name: "haproxy", output: capture(haproxy) });
  } catch (error) {
    await stop();
    throw error;
  }

  const writeUrl = (database = "postgres") => `postgresql://postgres@127.0.0.1:${writePort}/${database}`;
  const readUrl = (database = "postgres") => `postgresql://postgres@127.0.0.1:${readPort}/${database}`;

  const leader = async (timeoutMs = 60_000) => {
    const found = await until(
      async () => {
        for (const node of nodes) if ((await node.role()) === "leader") return node;
        return undefined;
      },
      "no node became the leader",
      timeoutMs,
      logs,
    );
    return found;
  };

  const settled = async ({ sync = true, timeoutMs = 90_000 } = {}) => {
    await until(
      async () => {
        const roles = await Promise.all(nodes.map(async (node) => (node.running() ? node.role() : "stopped")));
        const leaders = roles.filter((role) => role === "leader").length;
        const others = roles.filter((role) => role !== "leader" && role !== "stopped");
        const ready = leaders === 1 && others.every((role) => role === "sync_standby" || role === "replica") && (!sync || others.includes("sync_standby"));
        if (!ready) return undefined;
        // Through HAProxy too: its checks run every second.
        const client = new pg.Client({ connectionString: writeUrl(), connectionTimeoutMillis: 2_000 });
        try {
          await client.connect();
          const { rows } = await client.query("select pg_is_in_recovery() as standby");
          return rows[0].standby === false ? true : undefined;
        } finally {
          await client.end().catch(() => {});
        }
      },
      "the cluster did not settle (one leader, the other nodes replicas)",
      timeoutMs,
      logs,
    );
  };

  try {
    await settled();
  } catch (error) {
    await stop();
    throw error;
  }

  return { dir: scratch, writeUrl, readUrl, nodes, leader, settled, logs, stop };
}
