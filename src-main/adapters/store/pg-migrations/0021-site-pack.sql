-- PostgreSQL counterpart of migrations/0021-site-pack.sql (same number and name; see docs/server-mode.md).
-- Text columns use the "C" collation so ORDER BY and ranges compare bytes, as SQLite does.
-- Site packs, the station's side (docs/sync.md "Site packs"): what the remote handed this station
-- so it serves CUPS for its owner's gateways without a batch root key. No root key, claim PIN or
-- CUPS token is ever stored here: tokens are represented by their SHA-256 verifiers only.

-- The pack as a whole (at most one row, id = 'pack'). selection: JSON array of the 16-hex EUIs the
-- installer chose, NULL = every gateway of the owner. created_at is the remote's time of the pack
-- (NULL until a first fetch); cups_trust the remote's CUPS trust (DER), cups_uri its CUPS URI.
CREATE TABLE sync_site_pack (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  owner_id TEXT COLLATE "C" NOT NULL,
  selection TEXT COLLATE "C",
  created_at TEXT COLLATE "C",
  fetched_at TEXT COLLATE "C",
  cups_trust BYTEA,
  cups_uri TEXT COLLATE "C"
);

-- One row per packed gateway. verifiers: JSON array of {kind, generation, sha256}; desired: JSON of
-- the desired CUPS state (URIs, Base64 blobs), NULL = claimed but never set up. seen_generation:
-- the token generation the gateway last authenticated with at this station's CUPS (g + 1 = the
-- rotation was taken up here), seen_at when.
CREATE TABLE sync_site_pack_gateways (
  eui TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  origin TEXT COLLATE "C" NOT NULL CHECK (origin IN ('batch', 'added')),
  token_generation BIGINT NOT NULL,
  token_target BIGINT NOT NULL,
  verifiers TEXT COLLATE "C" NOT NULL,
  desired TEXT COLLATE "C",
  setup_at TEXT COLLATE "C",
  seen_generation BIGINT,
  seen_at TEXT COLLATE "C"
);
