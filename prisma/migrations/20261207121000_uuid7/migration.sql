-- A UUIDv7, as Prisma's uuid(7) makes them (a millisecond timestamp, then random bits), for rows the database
-- inserts itself (prisma/sql/createProjectTree.sql). PostgreSQL 18 has uuidv7(); this works from 13 on.
CREATE FUNCTION "uuid7"() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(
    set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
      PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
    52, 1), 53, 1),
  'hex')::uuid
$$;
