-- PostgreSQL counterpart of migrations/0022-offline-claims.sql (same number and name; see docs/server-mode.md).
-- Text columns use the "C" collation so ORDER BY and ranges compare bytes, as SQLite does.
-- Offline claims (docs/sync.md "Offline claims"): a claim made at a station that cannot check the
-- PIN itself (no batch root key) is recorded as pending and verified by the remote when its outbox
-- operation is pushed. state: pending (not yet answered), verified (the remote applied it),
-- rejected (the remote refused it: message is the remote's), conflict (the remote holds the
-- gateway for another owner). op_id is the outbox operation that carries the claim.
CREATE TABLE sync_claims (
  eui TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  owner_id TEXT COLLATE "C" NOT NULL,
  op_id TEXT COLLATE "C" NOT NULL,
  state TEXT COLLATE "C" NOT NULL CHECK (state IN ('pending', 'verified', 'rejected', 'conflict')),
  message TEXT COLLATE "C",
  created_at TEXT COLLATE "C" NOT NULL,
  answered_at TEXT COLLATE "C"
);
CREATE INDEX sync_claims_op ON sync_claims (op_id);
