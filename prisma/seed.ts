// Sample data for a new database: the sample asset tree's project (lib/assets/sample.ts), so `bun run assets:sample`
// draws its frames and importing that tree afterwards finds every frame as the seed wrote it. It goes through the
// asset import (lib/assets/import.ts), so it keeps the same rules; running it again changes nothing.
import { importAnimation } from "@/lib/assets/import";
import { sampleTree } from "@/lib/assets/sample";
import { disconnect, prisma } from "@/lib/prisma";
import { SAMPLE_FRAME_SIZE } from "@/lib/projects/rules";

const project = { slug: "demo", name: "Demo project", description: "Two characters with a few short animations." };
const fps: Record<string, number> = { idle: 8, run: 12, bounce: 6 };

async function seed() {
  const { slug } = project;
  await prisma.project.upsert({ where: { slug }, create: project, update: {} });
  for (const [character, animations] of Object.entries(sampleTree[slug]!)) {
    for (const [animation, count] of Object.entries(animations)) {
      const frames = Array.from({ length: count }, (_, index) => ({
        index,
        image: `/assets/${slug}/${character}/${animation}/${index}.png`,
        width: SAMPLE_FRAME_SIZE,
        height: SAMPLE_FRAME_SIZE,
      }));
      await importAnimation(prisma, { project: slug, character, animation, frames });
      const rate = fps[animation] ?? 12;
      await prisma.animation.updateMany({ where: { name: animation, fps: { not: rate }, character: { name: character, project: { slug } } }, data: { fps: rate } });
    }
  }
  const counts = await Promise.all([prisma.character.count(), prisma.animation.count(), prisma.frame.count()]);
  console.log(`Seeded "${slug}": ${counts[0]} characters, ${counts[1]} animations, ${counts[2]} frames in the database.`);
}

await seed().finally(disconnect);
