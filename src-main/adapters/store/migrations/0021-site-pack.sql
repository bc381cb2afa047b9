-- Site packs, the station's side (docs/sync.md "Site packs"): what the remote handed this station
-- so it serves CUPS for its owner's gateways without a batch root key. No root key, claim PIN or
-- CUPS token is ever stored here: tokens are represented by their SHA-256 verifiers only.

-- The pack as a whole (at most one row, id = 'pack'). selection: JSON array of the 16-hex EUIs the
-- installer chose, NULL = every gateway of the owner. created_at is the remote's time of the pack
-- (NULL until a first fetch); cups_trust the remote's CUPS trust (DER), cups_uri its CUPS URI.
CREATE TABLE sync_site_pack (
  id TEXT PRIMARY KEY NOT NULL,
  owner_id TEXT NOT NULL,
  selection TEXT,
  created_at TEXT,
  fetched_at TEXT,
  cups_trust BYTEA,
  cups_uri TEXT
);

-- One row per packed gateway. verifiers: JSON array of {kind, generation, sha256}; desired: JSON of
-- the desired CUPS state (URIs, Base64 blobs), NULL = claimed but never set up. seen_generation:
-- the token generation the gateway last authenticated with at this station's CUPS (g + 1 = the
-- rotation was taken up here), seen_at when.
CREATE TABLE sync_site_pack_gateways (
  eui TEXT PRIMARY KEY NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('batch', 'added')),
  token_generation BIGINT NOT NULL,
  token_target BIGINT NOT NULL,
  verifiers TEXT NOT NULL,
  desired TEXT,
  setup_at TEXT,
  seen_generation BIGINT,
  seen_at TEXT
);
