-- schema.sql - the PostgreSQL baseline's tables: the same normalised records,
-- mentions (with the entity each was resolved to) and relations cpindex holds,
-- as bench/pg_export.c writes them. Created without indexes so COPY runs at
-- full speed; bench/pg/derive.sql adds the keys, indexes and derived tables.
--
-- day columns are cpindex day numbers (days since 1970-01-01). facts, keys and
-- raw are the record's facts, the mention's normalised keys (name -> array of
-- values) and its values as written.

CREATE TABLE record (
    ref    text NOT NULL,   -- "niche:NOM-0000123"
    source text NOT NULL,   -- niche, miraf, mace, marac, polit, soc
    type   text NOT NULL,   -- nominal, occurrence-nominal, miraf-form, ...
    day    integer,
    facts  jsonb NOT NULL
);

CREATE TABLE mention (
    record_ref text NOT NULL,
    n          integer NOT NULL,   -- mention number within the record, from 1
    kind       text NOT NULL,      -- person, location, phone, online
    role       text NOT NULL,      -- missing-child, person-posing-risk, found-at, ...
    entity_id  text,               -- NULL when not resolved
    fn         text,               -- normalised forename, surname, DOB (yyyy-mm-dd)
    sn         text,
    dob        text,
    keys       jsonb NOT NULL,
    raw        jsonb NOT NULL
);

CREATE TABLE relation (
    record_ref text NOT NULL,
    type       text NOT NULL,      -- lives-at, poses-risk-to, found-at, ...
    from_n     integer NOT NULL,
    to_n       integer NOT NULL,
    day        integer
);
