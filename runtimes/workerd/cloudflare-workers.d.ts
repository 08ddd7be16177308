// The part of workerd's built-in module that the worker uses.
declare module "cloudflare:workers" {
  export const env: Record<string, unknown>;
}
