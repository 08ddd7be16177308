// The project's four tables as Drizzle sees them, mirroring prisma/schema.prisma and its migrations.
import { relations } from "drizzle-orm";
import { type AnyPgColumn, boolean, integer, pgTable, text, timestamp, uuid, varchar } from "drizzle-orm/pg-core";

const timestamps = {
  createdAt: timestamp("created_at", { precision: 3, withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { precision: 3, withTimezone: true }).notNull(),
};
const name = varchar("name", { length: 200 }).notNull();
const id = () => uuid("id").primaryKey();
/** A child's key: its parent's id, the child deleted with the parent. */
const parentId = (column: string, parent: () => AnyPgColumn) => uuid(column).notNull().references(parent, { onDelete: "cascade" });

export const projects = pgTable("projects", {
  id: id(), slug: varchar("slug", { length: 100 }).notNull().unique(), name, description: text("description").notNull().default(""), ...timestamps,
});
export const characters = pgTable("characters", { id: id(), projectId: parentId("project_id", () => projects.id), name, ...timestamps });
export const animations = pgTable("animations", {
  id: id(), characterId: parentId("character_id", () => characters.id), name, fps: integer("fps").notNull().default(12),
  loop: boolean("loop").notNull().default(true), frameCount: integer("frame_count").notNull().default(0), ...timestamps,
});
export const frames = pgTable("frames", {
  id: id(), animationId: parentId("animation_id", () => animations.id), index: integer("index").notNull(), image: text("image").notNull(),
  width: integer("width").notNull(), height: integer("height").notNull(), durationMs: integer("duration_ms"), ...timestamps,
});

export const projectRelations = relations(projects, ({ many }) => ({ characters: many(characters) }));
export const characterRelations = relations(characters, ({ one, many }) => ({
  project: one(projects, { fields: [characters.projectId], references: [projects.id] }), animations: many(animations) }));
export const animationRelations = relations(animations, ({ one, many }) => ({
  character: one(characters, { fields: [animations.characterId], references: [characters.id] }), frames: many(frames) }));
export const frameRelations = relations(frames, ({ one }) => ({ animation: one(animations, { fields: [frames.animationId], references: [animations.id] }) }));
