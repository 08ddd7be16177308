-- prisma-query-cache: tells every process's cache which tables a committed statement changed, whoever ran it (the
-- app, psql, another service, a migration). One trigger per table of the current schema, statement-level: a
-- statement that changes a million rows sends one notification. PostgreSQL delivers a NOTIFY only once its
-- transaction has committed, and merges the duplicates of one transaction.
-- Safe to run again: append it to any later migration that adds tables, and they get the trigger too.
CREATE OR REPLACE FUNCTION "cache_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cache_invalidation', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

DO $$
DECLARE
  target regclass;
BEGIN
  FOR target IN
    SELECT c.oid::regclass FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace
      AND c.relkind IN ('r', 'p')
      AND NOT c.relispartition
      AND c.relname <> '_prisma_migrations'
  LOOP
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = target AND tgname = 'cache_notify') THEN
      EXECUTE format('CREATE TRIGGER "cache_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION "cache_notify"()', target);
    END IF;
  END LOOP;
END;
$$;
