// What an edge sandbox hands the WebSocket driver: the proxy's address with its key, and its own name.
import { expect, it } from "vitest";
import { proxyAddress } from "@/lib/db/edge-proxy-address";

it("keeps the proxy's host, path and query, and adds the sandbox's name", () => {
  expect(proxyAddress("ws://127.0.0.1:4100/v1?key=abc_-123", "0190f0e0-0000-7000-8000-000000000000")).toBe(
    "127.0.0.1:4100/v1?key=abc_-123&client=0190f0e0-0000-7000-8000-000000000000",
  );
  expect(proxyAddress("wss://proxy.example.com/v2", "s1")).toBe("proxy.example.com/v2?client=s1");
  expect(proxyAddress("ws://[::1]:4100/v1?client=old", "new")).toBe("[::1]:4100/v1?client=new");
});
