export function planTables(_plan: unknown) {
  return { read: new Set<string>(), written: new Set<string>() };
}
