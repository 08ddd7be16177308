-- Each animation's frame count, kept by the database on every write to frames (the app's, psql's, anyone's), so
-- that a read shows it without counting the frames: a project read then costs what it returns, however many frames
-- its animations hold. Statement-level triggers with transition tables: one UPDATE per statement, whatever its size.
ALTER TABLE "animations" ADD COLUMN "frame_count" INTEGER NOT NULL DEFAULT 0;

UPDATE "animations" AS a SET "frame_count" = c."count"
FROM (SELECT "animation_id", count(*)::int AS "count" FROM "frames" GROUP BY "animation_id") AS c
WHERE a."id" = c."animation_id";

CREATE FUNCTION "frames_count"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE "animations" SET "frame_count" = 0 WHERE "frame_count" <> 0;
  ELSIF TG_OP = 'INSERT' THEN
    UPDATE "animations" AS a SET "frame_count" = a."frame_count" + n."count"
    FROM (SELECT "animation_id", count(*)::int AS "count" FROM new_frames GROUP BY "animation_id") AS n
    WHERE a."id" = n."animation_id";
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE "animations" AS a SET "frame_count" = a."frame_count" - o."count"
    FROM (SELECT "animation_id", count(*)::int AS "count" FROM old_frames GROUP BY "animation_id") AS o
    WHERE a."id" = o."animation_id";
  ELSE
    -- Only a frame moved to another animation changes a count.
    UPDATE "animations" AS a SET "frame_count" = a."frame_count" + d."change"
    FROM (
      SELECT "animation_id", sum("change")::int AS "change"
      FROM (SELECT "animation_id", 1 AS "change" FROM new_frames UNION ALL SELECT "animation_id", -1 FROM old_frames) AS moves
      GROUP BY "animation_id"
      HAVING sum("change") <> 0
    ) AS d
    WHERE a."id" = d."animation_id";
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "frames_count_insert" AFTER INSERT ON "frames"
  REFERENCING NEW TABLE AS new_frames FOR EACH STATEMENT EXECUTE FUNCTION "frames_count"();
CREATE TRIGGER "frames_count_update" AFTER UPDATE ON "frames"
  REFERENCING OLD TABLE AS old_frames NEW TABLE AS new_frames FOR EACH STATEMENT EXECUTE FUNCTION "frames_count"();
CREATE TRIGGER "frames_count_delete" AFTER DELETE ON "frames"
  REFERENCING OLD TABLE AS old_frames FOR EACH STATEMENT EXECUTE FUNCTION "frames_count"();
CREATE TRIGGER "frames_count_truncate" AFTER TRUNCATE ON "frames"
  FOR EACH STATEMENT EXECUTE FUNCTION "frames_count"();

-- The index page lists projects by name, a page at a time.
CREATE INDEX "projects_name_id_idx" ON "projects"("name", "id");
