-- PostgreSQL counterpart of migrations/0012-sync-remote.sql (same number and name; see docs/server-mode.md).
-- Text columns use the "C" collation so ORDER BY and ranges compare bytes, as SQLite does.
-- Sync, the remote's side (docs/sync.md): idempotency keys of the Owner API and the per-owner
-- change feed. Same portable subset and conventions as 0001: times are ISO-8601 UTC strings from
-- the core's clock, gateway and owner ids 16 uppercase hex digits, ids allocated by the core.

-- The first answer of every Owner API write sent with an `Idempotency-Key` header, written in the
-- transaction that applies the write (so "applied" and "answer stored" commit together). A retry
-- with the same key (and the same request) is answered from here and applies nothing. scope is the
-- request's owner (16 hex): keys of different owners never meet. request_hash is SHA-256 (hex) of
-- the operation and its items: the same key with another request is refused. Rows past expires_at
-- are ignored and purged.
CREATE TABLE idempotency_keys (
  scope TEXT COLLATE "C" NOT NULL,
  idem_key TEXT COLLATE "C" NOT NULL,
  operation TEXT COLLATE "C" NOT NULL,
  request_hash TEXT COLLATE "C" NOT NULL,
  answer TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- The change feed (POST /api/v1/gateway/changes): one row per (owner, gateway), moved to a new seq
-- by every write that changes the gateway for that owner, so the feed is compacted — a reader
-- behind gets each gateway once, at its latest change, and reads its state as of now. seq is
-- allocated as max + 1 inside the writing transaction (one writer per sql.js store; a shared
-- database must serialize the allocation). op_id is the Idempotency-Key of the write that made the
-- change, so a station recognizes its own operations coming back.
CREATE TABLE gateway_changes (
  seq BIGINT PRIMARY KEY NOT NULL,
  owner_id TEXT COLLATE "C" NOT NULL,
  eui TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  op_id TEXT COLLATE "C",
  at TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX gateway_changes_owner_eui ON gateway_changes (owner_id, eui);
CREATE INDEX gateway_changes_owner_seq ON gateway_changes (owner_id, seq);
