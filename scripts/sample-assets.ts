// Writes a small sample asset tree for demos: tsx scripts/sample-assets.ts [dir]   (dir defaults to public/assets)
// Existing files are left as they are.
import { writeSampleTree } from "@/lib/assets/sample";

const root = process.argv[2] ?? "public/assets";
const { written, kept } = await writeSampleTree(root);
console.log(`${root}: ${written} sample frames written${kept > 0 ? `, ${kept} already there and kept` : ""}.`);
console.log(`Next: bun run assets:import${process.argv[2] ? ` ${root}` : ""}`);
