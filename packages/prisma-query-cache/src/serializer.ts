// Cached results come back as Prisma returned them: Dates, BigInts, Decimals and Bytes keep their types.
import { Decimal } from "@prisma/client/runtime/client";

const tagged = "$t";

function replacer(this: Record<string, unknown>, key: string, value: unknown) {
  const original = this[key];
  if (original instanceof Date) return { [tagged]: "date", v: original.toISOString() };
  if (typeof original === "bigint") return { [tagged]: "bigint", v: original.toString() };
  if (Decimal.isDecimal(original)) return { [tagged]: "decimal", v: original.toString() };
  if (original instanceof Uint8Array) return { [tagged]: "bytes", v: Buffer.from(original).toString("base64") };
  return value;
}

function reviver(_key: string, value: unknown) {
  if (value === null || typeof value !== "object" || !(tagged in value)) return value;
  const { [tagged]: type, v } = value as { $t: string; v: string };
  switch (type) {
    case "date":
      return new Date(v);
    case "bigint":
      return BigInt(v);
    case "decimal":
      return new Decimal(v);
    case "bytes":
      return new Uint8Array(Buffer.from(v, "base64"));
    default:
      return value;
  }
}

export const prismaValueSerializer = {
  serialize: (value: unknown) => JSON.stringify(value, replacer),
  deserialize: (text: string): unknown => JSON.parse(text, reviver),
};
