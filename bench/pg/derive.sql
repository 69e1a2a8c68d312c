-- derive.sql - keys, indexes and derived tables for the PostgreSQL baseline,
-- run once after the COPY (bench/pg/load times it, as cpindex's graph build is
-- timed). What each piece is for:
--
--   indexes    every lookup the profile makes: mentions by entity, a record's
--              mentions and relations, Niche occurrence links by urn;
--   link       a view of every fact joining two entities, exactly what
--              cpindex's graph build turns into edges (graph/graph.h): each
--              relation inside a record, a person's involvement in a Niche
--              occurrence to the occurrence's place (victim-in, suspect-in, ...),
--              and each suspect or offender against each victim of one
--              occurrence;
--   edge       link aggregated per (entity, type, other entity) and stored
--              under both ends, clustered by entity: the same shape as
--              cpindex's CPI_DB_EDGES;
--   entity     one row per entity: kind, a display name, whether recorded as a
--              child, whether a risk to children, and hub (more than 200 linked
--              entities, not walked: CPI_ANALYTICS_HUB), like cpindex's cards.
--
-- The flags follow graph/graphdb.h in spirit, from roles and Niche facts:
-- child = a child's role (missing-child, child-discussed, household-child,
-- child-at-risk, ppn-subject, POLIT victim), a child's Niche warning (CPP, LAC,
-- CSE/CCE risk, repeat missing), or under 18 at the latest record; risky = a
-- risk role (person-posing-risk, adult-of-concern, perpetrator, group-member,
-- POLIT subject), a Niche RSO / SHPO / CAWN / violent warning, or a suspect or
-- offender in an occurrence who is not a child.

ALTER TABLE record ADD PRIMARY KEY (ref);
ALTER TABLE mention ADD PRIMARY KEY (record_ref, n);
CREATE INDEX mention_entity ON mention (entity_id);
CREATE INDEX relation_record ON relation (record_ref);
-- An occurrence_nominals row names its occurrence by urn; the occurrence's reference is niche:URN.
CREATE INDEX record_occurrence ON record (('niche:' || (facts->>'urn'))) WHERE type = 'occurrence-nominal';

CREATE VIEW link AS
SELECT f.entity_id AS a, r.type, t.entity_id AS b, r.record_ref AS ref, coalesce(r.day, rec.day) AS day
  FROM relation r
  JOIN record rec ON rec.ref = r.record_ref
  JOIN mention f ON f.record_ref = r.record_ref AND f.n = r.from_n
  JOIN mention t ON t.record_ref = r.record_ref AND t.n = r.to_n
 WHERE f.entity_id IS NOT NULL AND t.entity_id IS NOT NULL
UNION ALL
SELECT p.entity_id, lower(replace(o.facts->>'involvement', ' ', '-')) || '-in', l.entity_id, o.ref, o.day
  FROM record o
  JOIN mention p ON p.record_ref = o.ref AND p.n = 1
  JOIN mention l ON l.record_ref = 'niche:' || (o.facts->>'urn') AND l.n = 1
 WHERE o.type = 'occurrence-nominal' AND p.entity_id IS NOT NULL AND l.entity_id IS NOT NULL
UNION ALL
SELECT s.entity_id, 'suspect-against', v.entity_id, so.ref, so.day
  FROM record so
  JOIN record vo ON vo.type = 'occurrence-nominal'
                AND ('niche:' || (vo.facts->>'urn')) = ('niche:' || (so.facts->>'urn'))
                AND vo.facts->>'involvement' = 'VICTIM'
  JOIN mention s ON s.record_ref = so.ref AND s.n = 1
  JOIN mention v ON v.record_ref = vo.ref AND v.n = 1
 WHERE so.type = 'occurrence-nominal' AND so.facts->>'involvement' IN ('SUSPECT', 'OFFENDER')
   AND s.entity_id IS NOT NULL AND v.entity_id IS NOT NULL;

-- Both directions, so "everything linked to X" is one filter on a.
CREATE VIEW link_both AS
SELECT a, type, true AS out, b, ref, day FROM link
UNION ALL
SELECT b, type, false, a, ref, day FROM link;

CREATE TABLE edge AS
SELECT a, type, out, b, count(*)::integer AS n, min(day) AS first, max(day) AS last
  FROM link_both
 GROUP BY a, type, out, b;
CREATE INDEX edge_a ON edge (a);
CLUSTER edge USING edge_a;

CREATE TABLE entity AS
WITH m AS (
    SELECT m.entity_id, m.kind, m.role, m.fn, m.sn, m.dob, m.keys, r.source, r.type, r.day, r.facts
      FROM mention m JOIN record r ON r.ref = m.record_ref
     WHERE m.entity_id IS NOT NULL
), agg AS (
    SELECT entity_id AS id, min(kind) AS kind,
           min(coalesce(initcap(fn || ' ' || sn), keys->'addr'->>0, keys->'place'->>0, keys->'tel'->>0,
                        keys->'email'->>0, keys->'user'->>0, keys->'street'->>0)) AS name,
           bool_or(role IN ('missing-child', 'child-discussed', 'household-child', 'child-at-risk', 'ppn-subject')
                   OR (role = 'victim' AND source = 'polit')
                   OR (type = 'warning' AND facts->>'warning_type' IN
                       ('CHILD PROTECTION PLAN', 'LOOKED AFTER CHILD', 'CSE RISK', 'CCE RISK', 'REPEAT MISSING')))
               AS child_role,
           max(day) - max(dob::date - date '1970-01-01') AS age_days,
           bool_or(role IN ('person-posing-risk', 'adult-of-concern', 'perpetrator', 'group-member')
                   OR (role = 'subject' AND source = 'polit')
                   OR (type = 'warning' AND facts->>'warning_type' IN
                       ('REGISTERED SEX OFFENDER', 'SHPO', 'CAWN', 'VIOLENT'))) AS risk_role,
           bool_or(type = 'occurrence-nominal' AND facts->>'involvement' IN ('SUSPECT', 'OFFENDER')) AS suspect
      FROM m GROUP BY entity_id
)
SELECT a.id, a.kind, a.name,
       a.kind = 'person' AND (a.child_role OR coalesce(a.age_days < 6575, false)) AS child,
       a.kind = 'person' AND (a.risk_role OR (a.suspect AND NOT (a.child_role OR coalesce(a.age_days < 6575, false))))
           AS risky,
       coalesce(d.degree, 0) > 200 AS hub
  FROM agg a
  LEFT JOIN (SELECT a AS id, count(DISTINCT b) AS degree FROM edge GROUP BY a) d ON d.id = a.id;
ALTER TABLE entity ADD PRIMARY KEY (id);

ANALYZE;
