// Where `next start` listens is an argument of its command line (`-H`, `--hostname`), all interfaces without one;
// the server it creates is handed to no code of the app, so the command line is where to read it.

/**
 * The host `next start` was told to listen on; `"0.0.0.0"`, every interface, when it was told none. Undefined
 * when `argv` is not `next start`'s (`next dev` passes its options to a child process another way).
 */
export function nextStartHost(argv: readonly string[]): string | undefined {
  const command = argv.findIndex((arg, i) => i >= 2 && !arg.startsWith("-"));
  if (command < 0 || argv[command] !== "start" || !/(?:^|[/\\])next(?:\.js)?$/.test(argv[1] ?? "")) {
    return undefined;
  }
  for (let i = command + 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-H" || arg === "--hostname") return argv[i + 1] ?? "0.0.0.0";
    const joined = /^(?:-H=?|--hostname=)(.+)$/.exec(arg);
    if (joined) return joined[1]!;
  }
  return "0.0.0.0";
}

/** Whether only this machine can reach a server listening on `host`. */
export const isLoopbackHost = (host: string) => /^(?:localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i.test(host);
