-- Offline claims (docs/sync.md "Offline claims"): a claim made at a station that cannot check the
-- PIN itself (no batch root key) is recorded as pending and verified by the remote when its outbox
-- operation is pushed. state: pending (not yet answered), verified (the remote applied it),
-- rejected (the remote refused it: message is the remote's), conflict (the remote holds the
-- gateway for another owner). op_id is the outbox operation that carries the claim.
CREATE TABLE sync_claims (
  eui TEXT PRIMARY KEY NOT NULL,
  owner_id TEXT NOT NULL,
  op_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'verified', 'rejected', 'conflict')),
  message TEXT,
  created_at TEXT NOT NULL,
  answered_at TEXT
);
CREATE INDEX sync_claims_op ON sync_claims (op_id);
