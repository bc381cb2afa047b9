-- PostgreSQL counterpart of migrations/0013-sync-station.sql (same number and name; see docs/server-mode.md).
-- Text columns use the "C" collation so ORDER BY and ranges compare bytes, as SQLite does.
-- Sync, the station's side (docs/sync.md): the remote link, the outbox of local operations, the
-- mirror of the remote's state pulled through the change feed, and the feed cursor. Same portable
-- subset and conventions as 0001.

-- The remote join server this station syncs with (at most one row, id = 'remote'). The API key is
-- not here: it is sealed in the HSM (secret "sync.apiKey"). ca_pem is the remote's CA certificate,
-- the only trust anchor of the link; ca_fingerprint its SHA-256 (64 lowercase hex), pinned.
CREATE TABLE sync_link (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  url TEXT COLLATE "C" NOT NULL,
  ca_pem TEXT COLLATE "C" NOT NULL,
  ca_fingerprint TEXT COLLATE "C" NOT NULL,
  owner_id TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  -- the change-feed cursor: advanced in the transaction that applies a page
  cursor TEXT COLLATE "C" NOT NULL DEFAULT '0',
  last_success_at TEXT COLLATE "C",
  last_error TEXT COLLATE "C",
  last_error_at TEXT COLLATE "C"
);

-- Every local owner operation, written in the transaction of its local effect (commit hook), pushed
-- in seq order with op_id as Idempotency-Key. state: pending (not yet answered), sent (the remote
-- applied it), rejected (the remote refused it: answer holds why), conflict (the remote's state
-- moved meanwhile: remote holds its version), dropped / adopted (an installer resolved it).
-- base_seq: the mirror's change seq of each gateway when the operation was made (JSON object).
CREATE TABLE sync_outbox (
  seq BIGINT PRIMARY KEY NOT NULL,
  op_id TEXT COLLATE "C" NOT NULL,
  operation TEXT COLLATE "C" NOT NULL,
  owner_id TEXT COLLATE "C" NOT NULL,
  items TEXT COLLATE "C" NOT NULL,
  base_seq TEXT COLLATE "C" NOT NULL,
  state TEXT COLLATE "C" NOT NULL CHECK (state IN ('pending', 'sent', 'rejected', 'conflict', 'dropped', 'adopted')),
  created_at TEXT COLLATE "C" NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  answered_at TEXT COLLATE "C",
  answer TEXT COLLATE "C",
  remote TEXT COLLATE "C"
);
CREATE UNIQUE INDEX sync_outbox_op_id ON sync_outbox (op_id);
CREATE INDEX sync_outbox_state ON sync_outbox (state, seq);

-- The remote's state of the owner's gateways, as the change feed last told it (state: JSON of the
-- feed entry's state, NULL when the owner no longer holds the gateway there).
CREATE TABLE sync_mirror (
  eui TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  seq BIGINT NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  op_id TEXT COLLATE "C",
  at TEXT COLLATE "C" NOT NULL,
  state TEXT COLLATE "C",
  pulled_at TEXT COLLATE "C" NOT NULL
);
