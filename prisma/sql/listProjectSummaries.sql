-- @description Projects newest first, from the cursor on (the cursor's own row included), with character counts
-- @param {Int} $1:limit
-- @param {String} $2:cursor? the id to start at; null for the newest
SELECT p.id, p.slug, p.name, p.description, p.created_at AS "createdAt", p.updated_at AS "updatedAt",
       (SELECT count(*) FROM characters c WHERE c.project_id = p.id)::int AS "characterCount"
FROM projects p
WHERE $2::uuid IS NULL OR p.id <= $2::uuid
ORDER BY p.id DESC
LIMIT $1
