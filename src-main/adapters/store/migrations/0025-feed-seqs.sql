-- Seqs of the ordered feeds (docs/sync.md "Pull", "Push"; core/sync/seq.ts). The sql.js store has
-- one writer and serializes its transactions, so MAX(seq) + 1 inside the writing transaction stays
-- exact and nothing changes here; the PostgreSQL counterpart (pg-migrations/0025-feed-seqs.sql)
-- adds the SEQUENCEs several instances need. This file keeps both migration lists the same.
SELECT 1;
