// The project's four tables as Drizzle sees them, mirroring prisma/schema.prisma and its migrations.
import { relations } from "drizzle-orm";
import { boolean, integer, pgTable, text, timestamp, uuid, varchar } from "drizzle-orm/pg-core";

const timestamps = {
  createdAt: timestamp("created_at", { precision: 3, withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { precision: 3, withTimezone: true }).notNull(),
};
const name = varchar("name", { length: 200 }).notNull();

export const projects = pgTable("projects", {
  id: uuid("id").primaryKey(),
  slug: varchar("slug", { length: 100 }).notNull().unique(),
  name,
  description: text("description").notNull().default(""),
  ...timestamps,
});
const cascade = { onDelete: "cascade" } as const;
export const characters = pgTable("characters", { id: uuid("id").primaryKey(), projectId: uuid("project_id").notNull().references(() => projects.id, cascade), name, ...timestamps });
export const animations = pgTable("animations", {
  id: uuid("id").primaryKey(),
  characterId: uuid("character_id").notNull().references(() => characters.id, cascade),
  name,
  fps: integer("fps").notNull().default(12),
  loop: boolean("loop").notNull().default(true),
  frameCount: integer("frame_count").notNull().default(0),
  ...timestamps,
});
export const frames = pgTable("frames", {
  id: uuid("id").primaryKey(),
  animationId: uuid("animation_id").notNull().references(() => animations.id, cascade),
  index: integer("index").notNull(),
  image: text("image").notNull(),
  width: integer("width").notNull(),
  height: integer("height").notNull(),
  durationMs: integer("duration_ms"),
  ...timestamps,
});

export const projectRelations = relations(projects, ({ many }) => ({ characters: many(characters) }));
export const characterRelations = relations(characters, ({ one, many }) => ({
  project: one(projects, { fields: [characters.projectId], references: [projects.id] }), animations: many(animations) }));
export const animationRelations = relations(animations, ({ one, many }) => ({
  character: one(characters, { fields: [animations.characterId], references: [characters.id] }), frames: many(frames) }));
export const frameRelations = relations(frames, ({ one }) => ({ animation: one(animations, { fields: [frames.animationId], references: [animations.id] }) }));
