// Where `next start` listens, read from its command line, for the start-up line that says writes are open.
import { describe, expect, it } from "vitest";
import { isLoopbackHost, nextStartHost } from "@/lib/http/listen-address";

const next = "/app/node_modules/next/dist/bin/next";

describe("nextStartHost", () => {
  it.each([
    [["node", next, "start"], "0.0.0.0"],
    [["node", "/app/node_modules/.bin/next", "start", "-p", "3000"], "0.0.0.0"],
    [["node", next, "start", "-p", "3000", "-H", "127.0.0.1"], "127.0.0.1"],
    [["node", next, "start", "--hostname", "::1"], "::1"],
    [["node", next, "start", "--hostname=192.0.2.7"], "192.0.2.7"],
    [["node", next, "start", "-Hlocalhost"], "localhost"],
    [["node", next, "dev", "-H", "0.0.0.0"], undefined],
    [["node", "/app/node_modules/next/dist/server/lib/start-server.js"], undefined],
    [["node", "/app/scripts/with-db.ts", "start"], undefined],
  ])("reads %j as %j", (argv, host) => {
    expect(nextStartHost(argv)).toBe(host);
  });
});

describe("isLoopbackHost", () => {
  it("tells loopback from every other address", () => {
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"]) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "192.0.2.7", "example.com", "127.0.0.1.nip.io"]) expect(isLoopbackHost(host), host).toBe(false);
  });
});
