-- @description Inserts a project and its whole tree from one JSON document, one INSERT per level: what it costs grows with its rows alone
-- @param {Json} $1:tree the project as the API's create schema gives it (lib/api/schemas.ts): names trimmed, names unique within their parent
WITH doc AS (
  SELECT $1::jsonb AS d
), project AS (
  INSERT INTO projects (id, slug, name, description, updated_at)
  SELECT uuid7(), d ->> 'slug', d ->> 'name', coalesce(d ->> 'description', ''), now() FROM doc
  RETURNING id
), character_input AS (
  SELECT c AS input FROM doc, jsonb_array_elements(coalesce(d -> 'characters', '[]')) AS c
), inserted_characters AS (
  INSERT INTO characters (id, project_id, name, updated_at)
  SELECT uuid7(), project.id, input ->> 'name', now() FROM project, character_input
  RETURNING id, name
), animation_input AS (
  SELECT inserted_characters.id AS character_id, a AS input
  FROM character_input
  JOIN inserted_characters ON inserted_characters.name = character_input.input ->> 'name',
  jsonb_array_elements(coalesce(character_input.input -> 'animations', '[]')) AS a
), inserted_animations AS (
  -- fps and loop default as prisma/schema.prisma says.
  INSERT INTO animations (id, character_id, name, fps, loop, updated_at)
  SELECT uuid7(), character_id, input ->> 'name', coalesce((input ->> 'fps')::int, 12), coalesce((input ->> 'loop')::boolean, true), now()
  FROM animation_input
  RETURNING id, character_id, name
), inserted_frames AS (
  INSERT INTO frames (id, animation_id, index, image, width, height, duration_ms, updated_at)
  SELECT uuid7(), inserted_animations.id, (f ->> 'index')::int, f ->> 'image', (f ->> 'width')::int, (f ->> 'height')::int, (f ->> 'durationMs')::int, now()
  FROM animation_input
  JOIN inserted_animations
    ON inserted_animations.character_id = animation_input.character_id AND inserted_animations.name = animation_input.input ->> 'name',
  jsonb_array_elements(coalesce(animation_input.input -> 'frames', '[]')) AS f
)
SELECT id FROM project
