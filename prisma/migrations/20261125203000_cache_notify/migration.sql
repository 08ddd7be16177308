-- Tells the query cache which tables changed, whoever changed them (the app, psql, another service).
-- Statement-level, so a statement touching a million rows sends one notification; NOTIFY is delivered only
-- after the transaction commits and duplicates within one transaction are merged.
CREATE FUNCTION "cache_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cache_invalidation', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "projects_cache_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "projects"
  FOR EACH STATEMENT EXECUTE FUNCTION "cache_notify"();
CREATE TRIGGER "characters_cache_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "characters"
  FOR EACH STATEMENT EXECUTE FUNCTION "cache_notify"();
CREATE TRIGGER "animations_cache_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "animations"
  FOR EACH STATEMENT EXECUTE FUNCTION "cache_notify"();
CREATE TRIGGER "frames_cache_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "frames"
  FOR EACH STATEMENT EXECUTE FUNCTION "cache_notify"();
