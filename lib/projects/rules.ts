// The rules a project's data obeys, whichever way it arrives: the API (lib/api/schemas.ts), the asset import
// (lib/assets/layout.ts), the seed. The lengths are also prisma/schema.prisma's column sizes; a unit test checks
// that the schema agrees.

/** A project's slug: its folder name in an asset tree and its address in the app. */
export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_RULE = "lowercase letters, digits and single dashes";
export const MAX_SLUG_LENGTH = 100;

/** Project, character and animation names. */
export const MAX_NAME_LENGTH = 200;

/** Frames are numbered from 0 to this, both included. */
export const MAX_FRAME_INDEX = 100_000;

/** A frame's width and height, in pixels, are at most this. */
export const MAX_FRAME_SIZE = 16_384;

/** Width and height of the sample sprites (lib/assets/sample.ts) and of the frames the seed writes for them. */
export const SAMPLE_FRAME_SIZE = 32;

/** What one project may hold: the API, the import and the seed refuse anything past these. */
export const MAX_CHARACTERS_PER_PROJECT = 1_000;
export const MAX_ANIMATIONS_PER_CHARACTER = 1_000;

/**
 * Rows one create may carry in all (characters, animations and frames): what it costs the server grows with this,
 * and a bigger tree comes in by several requests (a frame append) or the asset import.
 */
export const MAX_ROWS_PER_CREATE = 10_000;

/** A read or a page shows at most this many of each; a cursor leads to the rest. */
export const PAGE_SIZE = { projects: 50, characters: 25, animations: 25, frames: 500 } as const;
