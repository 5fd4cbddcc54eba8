//! The one catalog query per database: what `hints --database-url` runs and what
//! `hints --print-query` prints for a DBA to run. Columns: schema, table, kind, rows, bytes,
//! analyzed.

/// PostgreSQL (12+): ordinary tables, partitioned tables (the sum of their leaf partitions) and
/// materialized views of every non-system schema. Rows come from `pg_class.reltuples`; a
/// relation never analyzed (reltuples -1 from PostgreSQL 14, 0 with no pages before) gets
/// pages × tuples per page, the tuple width from its columns' declared lengths (32 bytes for a
/// variable-length one), as the planner guesses. Bytes are `pg_total_relation_size` (indexes
/// and TOAST included).
pub(crate) const POSTGRES: &str = "\
WITH rel AS (
  SELECT c.oid, n.nspname, c.relname, c.relkind,
         NOT (c.reltuples < 0 OR (c.reltuples = 0 AND c.relpages = 0)) AS analyzed,
         CASE WHEN c.reltuples < 0 OR (c.reltuples = 0 AND c.relpages = 0) THEN
           (pg_relation_size(c.oid) / current_setting('block_size')::bigint)
           * ((current_setting('block_size')::bigint - 24)
              / (28 + (SELECT coalesce(sum(CASE WHEN a.attlen > 0 THEN a.attlen ELSE 32 END), 0)
                       FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)))
         ELSE c.reltuples::bigint END AS rows,
         pg_total_relation_size(c.oid) AS bytes
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'm')
    AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
)
SELECT r.nspname AS schema, r.relname AS \"table\",
       CASE r.relkind WHEN 'p' THEN 'partitioned table'
                      WHEN 'm' THEN 'materialized view' ELSE 'table' END AS kind,
       CASE WHEN r.relkind = 'p' THEN
         (SELECT coalesce(sum(l.rows), 0) FROM pg_partition_tree(r.oid) t
          JOIN rel l ON l.oid = t.relid WHERE t.isleaf)
       ELSE r.rows END::bigint AS rows,
       CASE WHEN r.relkind = 'p' THEN
         (SELECT coalesce(sum(l.bytes), 0) FROM pg_partition_tree(r.oid) t
          JOIN rel l ON l.oid = t.relid WHERE t.isleaf)
       ELSE r.bytes END::bigint AS bytes,
       CASE WHEN r.relkind = 'p' THEN
         coalesce((SELECT bool_and(l.analyzed) FROM pg_partition_tree(r.oid) t
                   JOIN rel l ON l.oid = t.relid WHERE t.isleaf), true)
       ELSE r.analyzed END AS analyzed
FROM rel r
-- A relation dropped while the catalog is read has no size (NULL): it is gone, not empty.
WHERE r.bytes IS NOT NULL
ORDER BY 1, 2";

/// MySQL / MariaDB: base tables of every non-system database, from
/// `information_schema.TABLES` (InnoDB's row count is an estimate; bytes are data plus
/// indexes).
pub(crate) const MYSQL: &str = "\
SELECT TABLE_SCHEMA AS `schema`, TABLE_NAME AS `table`, 'table' AS kind,
       CAST(COALESCE(TABLE_ROWS, 0) AS UNSIGNED) AS `rows`,
       CAST(COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) AS UNSIGNED) AS bytes,
       'true' AS analyzed
FROM information_schema.TABLES
WHERE TABLE_TYPE = 'BASE TABLE'
  AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
ORDER BY 1, 2";

/// The query for a database, and how a DBA runs it so that `hints --from` reads the output.
pub(crate) fn printed(kind: super::DbKind) -> String {
    match kind {
        super::DbKind::Postgres => format!(
            "-- locklint hints: table sizes from PostgreSQL's catalogs (read-only, no count(*)).\n\
             -- Run it and keep the CSV, then `locklint hints --from sizes.csv`:\n\
             --   psql \"$DATABASE_URL\" -c \"COPY ($(locklint hints --print-query postgres)) TO STDOUT WITH CSV HEADER\" > sizes.csv\n\
             {POSTGRES}\n"
        ),
        super::DbKind::Mysql => format!(
            "-- locklint hints: table sizes from information_schema (read-only).\n\
             -- Run it and keep the tab-separated output, then `locklint hints --from sizes.tsv`:\n\
             --   mysql -h HOST -u USER -p -B -e \"$(locklint hints --print-query mysql)\" > sizes.tsv\n\
             {MYSQL}\n"
        ),
    }
}
