-- profile.sql - the child profile in SQL: the question `cpindex child ID`
-- answers, as one statement returning one JSON document, so PostgreSQL does
-- the whole job in one round trip as cpindex does in one library call. The
-- rules follow query/profile_links.c, so both answer the same question:
--
--   records             every record with a mention of child $1 (reference,
--                       type, date, role), newest first;
--   places              every place linked to the child, with how (type,
--                       direction, count, first and last date);
--   risky_people        people linked to the child who pose a risk
--                       (entity.risky), or who are linked by poses-risk-to,
--                       cawn-served or suspect-against; and, through each of
--                       the child's places that is walked (not a hub, not
--                       only the school), the risky people who live at or
--                       operate from it (anyone risky at the child's home);
--   connected_children  two hops out: children found at, frequenting or
--                       victims at a walked place of concern (not the home),
--                       and children a risky person poses a risk to, served a
--                       CAWN about, offended against, parents or lives with.
-- Not followed here, unlike cpindex: children reached through a risky
-- person's phone (three hops), and the difference between a current and a
-- previous home. Hubs: more than 200 linked entities (derive.sql).
--
-- Two forms of the same question (bench/run times both), one template:
--   child_profile_edges  reads the derived edge table (cpindex reads its own
--                        edges, written once by its graph build);
--   child_profile_joins  derives the links from the normalised records,
--                        mentions and relations at query time (link_both);
--                        the entity table still gives flags and names.
-- Run in psql:  \i bench/pg/profile.sql   EXECUTE child_profile_edges('P-0000042');

PREPARE child_profile_edges(text) AS
WITH nb AS (
    SELECT e.type, e.out, e.b, e.n, e.first, e.last, x.kind, x.name, x.risky, x.hub
      FROM (SELECT * FROM edge WHERE a = $1) e JOIN entity x ON x.id = e.b
     WHERE e.b <> $1
), place AS (
    SELECT b AS id, min(name) AS name, bool_or(hub) AS hub,
           bool_or(type = 'lives-at' AND out) AS home,
           bool_or(type IN ('found-at', 'frequents', 'victim-in')) AS concern,
           bool_and(type = 'attends-school') AS school_only,
           json_agg(json_build_object('type', type, 'out', out, 'count', n, 'first', first, 'last', last)) AS links
      FROM nb WHERE kind = 'location' GROUP BY b
), walk AS (
    SELECT id, home, concern FROM place WHERE NOT hub AND NOT school_only
), around AS (
    SELECT p.id AS via, p.home, p.concern, e.type, e.out, e.b, e.n, e.first, e.last, x.name, x.risky, x.child
      FROM walk p JOIN edge e ON e.a = p.id JOIN entity x ON x.id = e.b
     WHERE x.kind = 'person' AND e.b <> $1
), risky AS (
    SELECT b AS id, name, type, out, n, first, last, NULL::text AS via
      FROM nb
     WHERE kind = 'person'
       AND (risky OR (NOT out AND type IN ('poses-risk-to', 'cawn-served', 'suspect-against')))
    UNION ALL
    SELECT b, name, type, out, n, first, last, via
      FROM around
     WHERE risky AND (home OR type IN ('lives-at', 'operates-from'))
), kids AS (
    SELECT b AS id, name, via
      FROM around
     WHERE child AND concern AND NOT home AND type IN ('found-at', 'frequents', 'victim-in')
    UNION ALL
    SELECT e.b, x.name, e.a
      FROM (SELECT * FROM edge WHERE a = ANY (ARRAY(SELECT DISTINCT id FROM risky))) e JOIN entity x ON x.id = e.b
     WHERE x.child AND e.b <> $1
       AND ((e.out AND e.type IN ('poses-risk-to', 'cawn-served', 'suspect-against', 'parent-of'))
            OR e.type = 'household-member')
)
SELECT json_build_object(
    'entity_id', $1::text,
    'records', (SELECT json_agg(json_build_object('ref', r.ref, 'type', r.type, 'day', r.day, 'role', m.role)
                                ORDER BY r.day DESC, r.ref)
                  FROM mention m JOIN record r ON r.ref = m.record_ref WHERE m.entity_id = $1),
    'places', (SELECT json_agg(json_build_object('id', id, 'name', name, 'hub', hub, 'links', links)) FROM place),
    'risky_people', (SELECT json_agg(json_build_object('id', id, 'name', name, 'links', links))
                       FROM (SELECT id, min(name) AS name,
                                    json_agg(json_build_object('type', type, 'out', out, 'count', n,
                                                               'first', first, 'last', last, 'via', via)) AS links
                               FROM risky GROUP BY id) q),
    'connected_children', (SELECT json_agg(json_build_object('id', id, 'name', name, 'via', via))
                             FROM (SELECT id, min(name) AS name, array_agg(DISTINCT via) AS via
                                     FROM kids GROUP BY id) q));

PREPARE child_profile_joins(text) AS
WITH nb AS (
    SELECT e.type, e.out, e.b, e.n, e.first, e.last, x.kind, x.name, x.risky, x.hub
      FROM (SELECT a, type, out, b, count(*)::integer AS n, min(day) AS first, max(day) AS last
              FROM link_both WHERE a = $1
             GROUP BY a, type, out, b) e JOIN entity x ON x.id = e.b
     WHERE e.b <> $1
), place AS (
    SELECT b AS id, min(name) AS name, bool_or(hub) AS hub,
           bool_or(type = 'lives-at' AND out) AS home,
           bool_or(type IN ('found-at', 'frequents', 'victim-in')) AS concern,
           bool_and(type = 'attends-school') AS school_only,
           json_agg(json_build_object('type', type, 'out', out, 'count', n, 'first', first, 'last', last)) AS links
      FROM nb WHERE kind = 'location' GROUP BY b
), walk AS (
    SELECT id, home, concern FROM place WHERE NOT hub AND NOT school_only
), around AS (
    SELECT p.id AS via, p.home, p.concern, e.type, e.out, e.b, e.n, e.first, e.last, x.name, x.risky, x.child
      FROM walk p JOIN (SELECT a, type, out, b, count(*)::integer AS n, min(day) AS first, max(day) AS last
              FROM link_both WHERE a = ANY (ARRAY(SELECT id FROM walk))
             GROUP BY a, type, out, b) e ON e.a = p.id JOIN entity x ON x.id = e.b
     WHERE x.kind = 'person' AND e.b <> $1
), risky AS (
    SELECT b AS id, name, type, out, n, first, last, NULL::text AS via
      FROM nb
     WHERE kind = 'person'
       AND (risky OR (NOT out AND type IN ('poses-risk-to', 'cawn-served', 'suspect-against')))
    UNION ALL
    SELECT b, name, type, out, n, first, last, via
      FROM around
     WHERE risky AND (home OR type IN ('lives-at', 'operates-from'))
), kids AS (
    SELECT b AS id, name, via
      FROM around
     WHERE child AND concern AND NOT home AND type IN ('found-at', 'frequents', 'victim-in')
    UNION ALL
    SELECT e.b, x.name, e.a
      FROM (SELECT a, type, out, b, count(*)::integer AS n, min(day) AS first, max(day) AS last
              FROM link_both WHERE a = ANY (ARRAY(SELECT DISTINCT id FROM risky))
             GROUP BY a, type, out, b) e JOIN entity x ON x.id = e.b
     WHERE x.child AND e.b <> $1
       AND ((e.out AND e.type IN ('poses-risk-to', 'cawn-served', 'suspect-against', 'parent-of'))
            OR e.type = 'household-member')
)
SELECT json_build_object(
    'entity_id', $1::text,
    'records', (SELECT json_agg(json_build_object('ref', r.ref, 'type', r.type, 'day', r.day, 'role', m.role)
                                ORDER BY r.day DESC, r.ref)
                  FROM mention m JOIN record r ON r.ref = m.record_ref WHERE m.entity_id = $1),
    'places', (SELECT json_agg(json_build_object('id', id, 'name', name, 'hub', hub, 'links', links)) FROM place),
    'risky_people', (SELECT json_agg(json_build_object('id', id, 'name', name, 'links', links))
                       FROM (SELECT id, min(name) AS name,
                                    json_agg(json_build_object('type', type, 'out', out, 'count', n,
                                                               'first', first, 'last', last, 'via', via)) AS links
                               FROM risky GROUP BY id) q),
    'connected_children', (SELECT json_agg(json_build_object('id', id, 'name', name, 'via', via))
                             FROM (SELECT id, min(name) AS name, array_agg(DISTINCT via) AS via
                                     FROM kids GROUP BY id) q));
