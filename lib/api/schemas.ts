// Request schemas: strict, so an unknown key is an error rather than silently dropped.
import { z } from "zod";
import { listOf } from "@/lib/api/issues";
import {
  MAX_ANIMATIONS_PER_CHARACTER,
  MAX_CHARACTERS_PER_PROJECT,
  MAX_FRAME_INDEX,
  MAX_FRAME_SIZE,
  MAX_NAME_LENGTH,
  MAX_ROWS_PER_CREATE,
  MAX_SLUG_LENGTH,
  SLUG,
  SLUG_RULE,
} from "@/lib/projects/rules";

export const uuid = z.uuid("must be a UUID");

// Text PostgreSQL can store as given: no NUL character, no unpaired UTF-16 surrogate.
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !unstorable.test(value), "must be valid Unicode text without NUL characters");
const name = text(MAX_NAME_LENGTH).pipe(z.string().trim().min(1));
const slug = z.string().min(1).max(MAX_SLUG_LENGTH).regex(SLUG, `must be ${SLUG_RULE}`);

export const frameInput = z.strictObject({
  index: z.int().min(0).max(MAX_FRAME_INDEX),
  image: text(2048).pipe(z.string().trim().min(1)),
  width: z.int().min(1).max(MAX_FRAME_SIZE),
  height: z.int().min(1).max(MAX_FRAME_SIZE),
  durationMs: z.int().min(1).max(60_000).nullish(),
});

const animationInput = z.strictObject({
  name,
  fps: z.int().min(1).max(240).optional(),
  loop: z.boolean().optional(),
  frames: listOf(frameInput, MAX_ROWS_PER_CREATE).optional(),
});

const characterInput = z.strictObject({
  name,
  animations: listOf(animationInput, MAX_ANIMATIONS_PER_CHARACTER).optional(),
});

export const projectCreate = z
  .strictObject({
    slug,
    name,
    description: text(10_000).optional(),
    characters: listOf(characterInput, MAX_CHARACTERS_PER_PROJECT).optional(),
  })
  .refine((project) => rowsOf(project) <= MAX_ROWS_PER_CREATE, {
    message: `carries more than ${MAX_ROWS_PER_CREATE} characters, animations and frames in all: create the rest with frame appends or the asset import`,
    path: ["characters"],
  });

/** The rows a create inserts below the project. */
export function rowsOf({ characters = [] }: { characters?: { animations?: { frames?: unknown[] }[] }[] }): number {
  let rows = characters.length;
  for (const { animations = [] } of characters) {
    rows += animations.length;
    for (const { frames = [] } of animations) rows += frames.length;
  }
  return rows;
}

export const projectUpdate = z
  .strictObject({ slug: slug.optional(), name: name.optional(), description: text(10_000).optional() })
  .refine((patch) => Object.keys(patch).length > 0, "give at least one of slug, name, description");

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: uuid.optional(),
});

/** Where a list of named children (characters, animations) goes on: the last name of the page before. */
const nameCursor = z.string().min(1).max(MAX_NAME_LENGTH);

export const treeQuery = z.strictObject({ cursor: nameCursor.optional() });

export const framesQuery = z.strictObject({ from: z.coerce.number().int().min(0).max(MAX_FRAME_INDEX).default(0) });

export const frameAppend = frameInput.omit({ index: true });

export type ProjectInput = z.output<typeof projectCreate>;
export type ProjectPatch = z.output<typeof projectUpdate>;
export type FrameAppend = z.output<typeof frameAppend>;
