// The app's operations as each stack runs them. "prisma" is the app itself: lib/projects and lib/frames on a client
// from lib/db/client.ts. Raw `pg` (the floor) and Drizzle answer the same queries with results of the same shape,
// which the query suite checks before it times anything.
import type { FrameAppend, ProjectInput, ProjectPatch } from "@/lib/api/schemas";
import type { CacheSettings } from "@/lib/db/cache/settings";
import { createDatabase } from "@/lib/db/client";
import * as frames from "@/lib/frames/queries";
import * as projects from "@/lib/projects/queries";
import type { AnimationAddress } from "./database";

export type Operations = {
  findProject: (id: string) => Promise<unknown>;
  listProjects: (page: { limit: number; cursor?: string }) => Promise<unknown>;
  findAnimationPage: (animation: AnimationAddress) => Promise<unknown>;
  createProject: (project: ProjectInput) => Promise<unknown>;
  updateProject: (id: string, patch: ProjectPatch) => Promise<unknown>;
  deleteProject: (id: string) => Promise<unknown>;
  appendFrame: (animationId: string, frame: FrameAppend) => Promise<unknown>;
};

export type StackName = "pg" | "prisma" | "drizzle" | "prisma-prepared";
export type Stack = { name: StackName; operations: Operations; close: () => Promise<void> };

/**
 * The app's data layer on the bench database, replicas left out. `preparedStatements` is the one setting the
 * "prisma-prepared" variant changes: what named statements would gain where no old transaction pooler sits between.
 * The query cache is off unless asked for: the suite measures the client itself, the cache section (cache.ts) both.
 */
export function prismaStack(url: string, { preparedStatements = false, cache = { enabled: false } as Partial<CacheSettings> } = {}) {
  const database = createDatabase({ url, replicaUrls: [], preparedStatements, cache });
  const db = database.prisma;
  return {
    name: (preparedStatements ? "prisma-prepared" : "prisma") as StackName,
    database,
    close: database.close,
    operations: {
      findProject: (id: string) => projects.findProject(db, id),
      listProjects: (page) => projects.listProjects(db, page),
      findAnimationPage: ({ slug, character, name }) => frames.findAnimationPage(db, { slug, character, name }),
      createProject: (project) => projects.createProject(db, project),
      updateProject: (id, patch) => projects.updateProject(db, id, patch),
      deleteProject: (id) => projects.deleteProject(db, id),
      appendFrame: (animationId, frame) => frames.appendFrame(db, animationId, frame),
    } satisfies Operations,
  };
}
