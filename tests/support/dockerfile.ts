// A Dockerfile's steps run on this machine, where there is no Docker engine and no registry to pull a base image
// from: WORKDIR, ENV, COPY and RUN in order, into a folder that stands for the image's filesystem, with no
// environment but the image's own; CMD is started the way `docker run` starts it. An instruction this does not know
// fails the run instead of being skipped, so the Dockerfile cannot drift past what is checked.
import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export type Instruction = { keyword: string; args: string };

export type Image = {
  /** The base image (FROM), which is not there: the steps run on this machine's system and Node.js. */
  base: string;
  /** Where the image's `/` is on this machine. */
  root: string;
  /** The last WORKDIR, on this machine. */
  workdir: string;
  /** ENV, in order of the Dockerfile. */
  env: Record<string, string>;
  cmd: string[];
  exposed: number[];
};

/** The instructions of a Dockerfile: comments dropped, continued lines joined. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = "";
  for (const line of text.split("\n")) {
    if (!pending && /^\s*(#|$)/.test(line)) continue;
    if (pending && /^\s*#/.test(line)) continue; // a comment inside a continued instruction
    const continued = /\\\s*$/.test(line);
    pending += continued ? line.replace(/\\\s*$/, " ") : line;
    if (continued) continue;
    const match = /^\s*(\w+)\s+([\s\S]*)$/.exec(pending);
    if (!match) throw new Error(`Dockerfile: cannot read "${pending}"`);
    instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim() });
    pending = "";
  }
  return instructions;
}

/** `.dockerignore` patterns (`*`, `**`, `?`) as a test of a path relative to the build context. */
export function dockerignore(text: string): (relative: string) => boolean {
  const patterns = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((pattern) => {
      if (pattern.startsWith("!")) throw new Error(`.dockerignore: exceptions (${pattern}) are not emulated`);
      // `**/` is any number of folders, none included; `*` and `?` stay within one name.
      const source = pattern
        .replace(/^\/+|\/+$/g, "")
        .split("/")
        .map((part) => (part === "**" ? "\0" : part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")))
        .join("/")
        .replace(/\0\//g, "(?:.*/)?")
        .replace(/\0/g, ".*");
      return new RegExp(`^${source}$`);
    });
  // A pattern that matches a folder leaves out everything in it.
  return (relative) => {
    const parts = relative.split(path.sep);
    return parts.some((_, i) => patterns.some((pattern) => pattern.test(parts.slice(0, i + 1).join("/"))));
  };
}

const words = (args: string): string[] => (args.startsWith("[") ? (JSON.parse(args) as string[]) : args.split(/\s+/));

/**
 * Builds the image of the Dockerfile in `context` under `root`. `buildEnv` is what the build host hands every step
 * beyond the image's ENV (PATH to its Node.js, HOME with its package caches, its network settings).
 */
export async function buildImage(context: string, root: string, buildEnv: Record<string, string>, log: (line: string) => void): Promise<Image> {
  const instructions = parseDockerfile(readFileSync(path.join(context, "Dockerfile"), "utf8"));
  const ignoreFile = path.join(context, ".dockerignore");
  const ignored = existsSync(ignoreFile) ? dockerignore(readFileSync(ignoreFile, "utf8")) : () => false;
  const image: Image = { base: "", root, workdir: root, env: {}, cmd: [], exposed: [] };
  const onMachine = (inImage: string) => path.join(root, inImage);
  let cwd = "/";
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);

  for (const { keyword, args } of instructions) {
    log(`${keyword} ${args}`);
    switch (keyword) {
      case "FROM":
        if (image.base) throw new Error("Dockerfile: a second FROM (a multi-stage build) is not emulated");
        image.base = args;
        break;
      case "WORKDIR":
        cwd = path.posix.resolve(cwd, args);
        image.workdir = onMachine(cwd);
        mkdirSync(image.workdir, { recursive: true, mode: 0o755 });
        break;
      case "ENV": {
        const pairs = [...args.matchAll(/(\w+)=(?:"([^"]*)"|(\S*))/g)];
        if (pairs.length === 0) throw new Error(`Dockerfile: ENV ${args}: only the NAME=value form is emulated`);
        for (const [, name, quoted, plain] of pairs) image.env[name!] = quoted ?? plain ?? "";
        break;
      }
      case "COPY": {
        const parts = words(args);
        if (parts.some((part) => part.startsWith("--"))) throw new Error(`Dockerfile: COPY ${args}: flags are not emulated`);
        const target = parts.at(-1)!;
        const dest = onMachine(path.posix.resolve(cwd, target));
        const sources = parts.slice(0, -1);
        // As Docker copies: a folder's contents, not the folder; a file into a target ending in "/" keeps its name.
        for (const source of sources) {
          const from = path.resolve(context, source);
          if (!from.startsWith(context)) throw new Error(`Dockerfile: COPY ${source} is outside the build context`);
          const intoFolder = !statSync(from).isDirectory() && (target.endsWith("/") || sources.length > 1);
          const into = intoFolder ? path.join(dest, path.basename(from)) : dest;
          cpSync(from, into, { recursive: true, filter: (file) => file === context || !ignored(path.relative(context, file)) });
        }
        break;
      }
      case "RUN": {
        const [file, ...rest] = args.startsWith("[") ? words(args) : ["/bin/sh", "-c", args];
        const { code, output } = await run(file!, rest, image.workdir, { ...buildEnv, ...image.env });
        if (code !== 0) throw new Error(`Dockerfile: RUN ${args} exited with ${code}:\n${output.slice(-6000)}`);
        break;
      }
      case "EXPOSE":
        image.exposed.push(...words(args).map((port) => Number.parseInt(port, 10)));
        break;
      case "CMD":
        if (!args.startsWith("[")) throw new Error("Dockerfile: CMD in shell form is not emulated; use the exec form");
        image.cmd = words(args);
        break;
      default:
        throw new Error(`Dockerfile: ${keyword} is not emulated; teach tests/support/dockerfile.ts or leave it out`);
    }
  }
  if (!image.base) throw new Error("Dockerfile: no FROM");
  if (image.cmd.length === 0) throw new Error("Dockerfile: no CMD");
  return image;
}

/** A command in the built image, as `docker run -e ...` runs it: the image's ENV, `env` on top, nothing else. */
export function runInImage(image: Image, buildEnv: Record<string, string>, command: string[], env: Record<string, string> = {}) {
  return run(command[0]!, command.slice(1), image.workdir, { ...buildEnv, ...image.env, ...env });
}

export function run(file: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}
