// Sample data for a new database: the sample asset tree's project (lib/assets/sample.ts), so `bun run assets:sample`
// draws its frames and importing that tree afterwards finds every frame as the seed wrote it. Upserts by natural
// keys, so running it again changes nothing.
import { sampleTree } from "@/lib/assets/sample";
import { disconnect, prisma } from "@/lib/prisma";
import { SAMPLE_FRAME_SIZE } from "@/lib/projects/rules";

const project = { slug: "demo", name: "Demo project", description: "Two characters with a few short animations." };
const fps: Record<string, number> = { idle: 8, run: 12, bounce: 6 };

async function seed() {
  const { slug } = project;
  const row = await prisma.project.upsert({ where: { slug }, create: project, update: {} });
  for (const [characterName, animations] of Object.entries(sampleTree[slug]!)) {
    const character = await prisma.character.upsert({
      where: { projectId_name: { projectId: row.id, name: characterName } },
      create: { projectId: row.id, name: characterName },
      update: {},
    });
    for (const [animationName, frames] of Object.entries(animations)) {
      const animation = await prisma.animation.upsert({
        where: { characterId_name: { characterId: character.id, name: animationName } },
        create: { characterId: character.id, name: animationName, fps: fps[animationName] },
        update: {},
      });
      await prisma.frame.createMany({
        data: Array.from({ length: frames }, (_, index) => ({
          animationId: animation.id,
          index,
          image: `/assets/${slug}/${characterName}/${animationName}/${index}.png`,
          width: SAMPLE_FRAME_SIZE,
          height: SAMPLE_FRAME_SIZE,
        })),
        skipDuplicates: true,
      });
    }
  }
  const counts = await Promise.all([prisma.character.count(), prisma.animation.count(), prisma.frame.count()]);
  console.log(`Seeded "${slug}": ${counts[0]} characters, ${counts[1]} animations, ${counts[2]} frames in the database.`);
}

await seed().finally(disconnect);
