// What the WebSocket driver is given to reach the proxy: DB_EDGE_PROXY_URL without its scheme (the driver adds
// it), with its query (the local bridge's key) and the name of the sandbox asking, so that the bridge can cap each
// sandbox's sessions (lib/db/pg-ws-bridge.ts). Edge-safe: no node:* import.

export function proxyAddress(proxyUrl: string, client: string): string {
  const url = new URL(proxyUrl);
  url.searchParams.set("client", client);
  return `${url.host}${url.pathname}${url.search}`;
}
