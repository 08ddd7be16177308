// Sample data for a new database. Upserts by natural keys, so running it again changes nothing.
import { disconnect, prisma } from "@/lib/prisma";

const sample = {
  slug: "demo",
  name: "Demo project",
  description: "Two characters with a few short animations.",
  characters: {
    hero: { idle: { fps: 8, frames: 4 }, run: { fps: 12, frames: 6 } },
    slime: { bounce: { fps: 6, frames: 3 } },
  },
};

async function seed() {
  const { characters, ...fields } = sample;
  const project = await prisma.project.upsert({ where: { slug: sample.slug }, create: fields, update: {} });
  for (const [characterName, animations] of Object.entries(characters)) {
    const character = await prisma.character.upsert({
      where: { projectId_name: { projectId: project.id, name: characterName } },
      create: { projectId: project.id, name: characterName },
      update: {},
    });
    for (const [animationName, { fps, frames }] of Object.entries(animations)) {
      const animation = await prisma.animation.upsert({
        where: { characterId_name: { characterId: character.id, name: animationName } },
        create: { characterId: character.id, name: animationName, fps },
        update: {},
      });
      await prisma.frame.createMany({
        data: Array.from({ length: frames }, (_, index) => ({
          animationId: animation.id,
          index,
          image: `/assets/${sample.slug}/${characterName}/${animationName}/${index}.png`,
          width: 64,
          height: 64,
        })),
        skipDuplicates: true,
      });
    }
  }
  const counts = await Promise.all([prisma.character.count(), prisma.animation.count(), prisma.frame.count()]);
  console.log(`Seeded "${sample.slug}": ${counts[0]} characters, ${counts[1]} animations, ${counts[2]} frames in the database.`);
}

await seed().finally(disconnect);
