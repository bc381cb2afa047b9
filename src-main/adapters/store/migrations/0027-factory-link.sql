-- A factory station's link (docs/sync.md "Factory records"): linked with a factory key, it works
-- for no owner, so sync_link.owner_id may be NULL (no change feed is pulled, no site pack fetched);
-- and the outbox carries factory personalization records (operation 'factory'), which belong to no
-- owner either, so sync_outbox.owner_id may be NULL too. SQLite cannot drop a NOT NULL: both tables
-- are rebuilt with the same columns, rows and indexes (nothing references them).
CREATE TABLE sync_link_0027 (
  id TEXT PRIMARY KEY NOT NULL,
  url TEXT NOT NULL,
  ca_pem TEXT NOT NULL,
  ca_fingerprint TEXT NOT NULL,
  owner_id TEXT,
  created_at TEXT NOT NULL,
  cursor TEXT NOT NULL DEFAULT '0',
  last_success_at TEXT,
  last_error TEXT,
  last_error_at TEXT
);
INSERT INTO sync_link_0027 (id, url, ca_pem, ca_fingerprint, owner_id, created_at, cursor, last_success_at, last_error, last_error_at)
  SELECT id, url, ca_pem, ca_fingerprint, owner_id, created_at, cursor, last_success_at, last_error, last_error_at FROM sync_link;
DROP TABLE sync_link;
ALTER TABLE sync_link_0027 RENAME TO sync_link;

CREATE TABLE sync_outbox_0027 (
  seq BIGINT PRIMARY KEY NOT NULL,
  op_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  owner_id TEXT,
  items TEXT NOT NULL,
  base_seq TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'rejected', 'conflict', 'dropped', 'adopted')),
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  answered_at TEXT,
  answer TEXT,
  remote TEXT
);
INSERT INTO sync_outbox_0027 (seq, op_id, operation, owner_id, items, base_seq, state, created_at, attempts, answered_at, answer, remote)
  SELECT seq, op_id, operation, owner_id, items, base_seq, state, created_at, attempts, answered_at, answer, remote FROM sync_outbox;
DROP TABLE sync_outbox;
ALTER TABLE sync_outbox_0027 RENAME TO sync_outbox;
CREATE UNIQUE INDEX sync_outbox_op_id ON sync_outbox (op_id);
CREATE INDEX sync_outbox_state ON sync_outbox (state, seq);
