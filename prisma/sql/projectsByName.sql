-- @description A page of projects by name, with their character counts: the index page
-- @param {String} $1:afterName the last name of the page before ('' for the first page)
-- @param {String} $2:afterId the last id of the page before (names repeat; the id breaks the tie)
-- @param {Int} $3:limit
SELECT p.id, p.slug, p.name, (SELECT count(*) FROM characters c WHERE c.project_id = p.id)::int AS "characterCount"
FROM projects p
WHERE (p.name, p.id) > ($1, $2::uuid)
ORDER BY p.name, p.id
LIMIT $3
