-- @description Every project by name, with its character count: the index page
SELECT p.id, p.slug, p.name, (SELECT count(*) FROM characters c WHERE c.project_id = p.id)::int AS "characterCount"
FROM projects p
ORDER BY p.name
