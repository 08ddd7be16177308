// The tables of several runs at once: each cell the median and the range over the results.json files given.
//   tsx bench/spread.ts <results.json>...
import { readFileSync } from "node:fs";
import { printReport, type BenchReport } from "./report";

const files = process.argv.slice(2);
if (files.length === 0) throw new Error("usage: tsx bench/spread.ts <results.json>...");
printReport(files.map((file) => JSON.parse(readFileSync(file, "utf8")) as BenchReport));
