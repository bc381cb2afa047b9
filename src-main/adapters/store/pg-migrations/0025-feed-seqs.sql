-- PostgreSQL counterpart of migrations/0025-feed-seqs.sql (same number and name; see docs/server-mode.md).
-- Seqs of the ordered feeds on a shared database (docs/sync.md "Pull", "Push"; core/sync/seq.ts):
-- MAX(seq) + 1 is exact with one writer only. Here each feed is numbered by a SEQUENCE, taken
-- under a per-feed advisory lock held until the writing transaction ends (PgTx.takeSeqs), so
-- numbers are unique and commit in order on every instance: a reader paging by `seq > cursor`
-- never passes a seq still in flight. Started past the rows already written.
CREATE SEQUENCE gateway_changes_seq AS BIGINT MINVALUE 1;
SELECT setval('gateway_changes_seq', COALESCE(MAX(seq), 0) + 1, false) FROM gateway_changes;
CREATE SEQUENCE sync_outbox_seq AS BIGINT MINVALUE 1;
SELECT setval('sync_outbox_seq', COALESCE(MAX(seq), 0) + 1, false) FROM sync_outbox;
-- Audit ids (core/audit.ts): unique from a SEQUENCE, no order promise (the log is read newest
-- first by id); MAX(id) + 1 made every pair of concurrent writes conflict.
CREATE SEQUENCE audit_log_seq AS BIGINT MINVALUE 1;
SELECT setval('audit_log_seq', COALESCE(MAX(id), 0) + 1, false) FROM audit_log;
