-- PostgreSQL counterpart of migrations/0001-initial.sql (same number and name; see docs/server-mode.md).
-- Text columns use the "C" collation so ORDER BY and ranges compare bytes, as SQLite does.
-- gwjs-station initial schema (SPEC §2-§4, DESIGN §3).
-- Portable subset of SQLite and PostgreSQL: TEXT, BIGINT, INTEGER, BYTEA (SQLite stores blobs as-is
-- under any declared type), no autoincrement, no SQL-computed defaults for times or ids.
-- Ids (gateways, owners) are 16 uppercase hex digits, so BETWEEN and ORDER BY work lexically.
-- Times are ISO-8601 UTC strings from the core's clock (Date#toISOString, fixed width, sortable).
-- CRCs are unsigned 32-bit values (BIGINT: they do not fit a PostgreSQL INTEGER).

CREATE TABLE owners (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  name TEXT COLLATE "C",
  -- successful adds ever made by this owner: the add limit counts these (SPEC §4.2)
  add_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT COLLATE "C" NOT NULL
);

-- API keys (SPEC §4.1): the key is gwjs_<id>_<secret>, only SHA-256 of the whole key is stored
CREATE TABLE api_keys (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  -- NULL: an admin key, acting for any owner
  owner_id TEXT COLLATE "C" REFERENCES owners (id),
  key_hash BYTEA NOT NULL,
  -- space-separated scopes
  scopes TEXT COLLATE "C" NOT NULL,
  label TEXT COLLATE "C",
  created_at TEXT COLLATE "C" NOT NULL,
  revoked_at TEXT COLLATE "C"
);
CREATE INDEX api_keys_owner ON api_keys (owner_id);

-- Batches (SPEC §2): non-overlapping EUI ranges sharing one root key held in the HSM
CREATE TABLE batches (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  first_eui TEXT COLLATE "C" NOT NULL,
  last_eui TEXT COLLATE "C" NOT NULL,
  brk_handle TEXT COLLATE "C" NOT NULL,
  kcv TEXT COLLATE "C" NOT NULL,
  flavor TEXT COLLATE "C",
  cups_uri TEXT COLLATE "C",
  kdf TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX batches_first_eui ON batches (first_eui);

-- Gateways the server knows: batch gateways once claimed (the row then outlives an un-claim so the
-- token generation survives an ownership transfer), added gateways from add until delete
CREATE TABLE gateways (
  eui TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  origin TEXT COLLATE "C" NOT NULL CHECK (origin IN ('batch', 'added')),
  batch_id TEXT COLLATE "C" REFERENCES batches (id),
  owner_id TEXT COLLATE "C" REFERENCES owners (id),
  claimed_at TEXT COLLATE "C",
  -- added gateways: the flavorid given to add
  flavor TEXT COLLATE "C",
  -- added gateways: SHA-256 of the Authorization header value (the token as given)
  token_hash BYTEA,
  -- batch gateways: CUPS accepts generation g and g + 1 (SPEC §2 rotation)
  token_generation BIGINT NOT NULL DEFAULT 0,
  -- generation the desired cupsCred carries: g, or g + 1 while a rotation is in flight
  token_target BIGINT NOT NULL DEFAULT 0,
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX gateways_owner ON gateways (owner_id, eui);

-- Desired configuration of a claimed gateway (SPEC §4.2 setup). Credential parts are DER (keys as
-- SEC1 / PKCS#1), a token-mode key is the Authorization header text with CRLF. The CRC is that of
-- the blob CUPS sends (SPEC §3.3), computed once at setup, NULL when that side sends no blob.
CREATE TABLE setups (
  eui TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES gateways (eui),
  cups_uri TEXT COLLATE "C",
  cups_trust BYTEA,
  cups_crt BYTEA,
  cups_key BYTEA,
  cups_cred_crc BIGINT,
  lns_uri TEXT COLLATE "C",
  lns_trust BYTEA,
  lns_crt BYTEA,
  lns_key BYTEA,
  lns_cred_crc BIGINT,
  fw_crc BIGINT,
  fw_after TEXT COLLATE "C",
  -- when the firmware was delivered for this setup (SPEC §3.4: once)
  fw_sent_at TEXT COLLATE "C",
  updated_at TEXT COLLATE "C" NOT NULL
);

-- Last CUPS contact per gateway (SPEC §3.6): what the station reported, from where, and the outcome
CREATE TABLE cups_contacts (
  eui TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  at TEXT COLLATE "C" NOT NULL,
  address TEXT COLLATE "C",
  outcome TEXT COLLATE "C" NOT NULL,
  station TEXT COLLATE "C",
  model TEXT COLLATE "C",
  package TEXT COLLATE "C",
  cups_uri TEXT COLLATE "C",
  tc_uri TEXT COLLATE "C",
  cups_cred_crc BIGINT,
  tc_cred_crc BIGINT,
  -- JSON array of the reported sig-N.key CRCs
  keys TEXT COLLATE "C" NOT NULL
);

-- Failed claim tries (SPEC §4.2 lockout): counted per gateway and per owner over a sliding window
CREATE TABLE claim_failures (
  eui TEXT COLLATE "C" NOT NULL,
  owner_id TEXT COLLATE "C" NOT NULL,
  at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX claim_failures_eui ON claim_failures (eui, at);
CREATE INDEX claim_failures_owner ON claim_failures (owner_id, at);
CREATE INDEX claim_failures_at ON claim_failures (at);

-- Firmware images named by setup fwcrc (SPEC §3.4). Upload and delivery details belong to the
-- firmware service
CREATE TABLE firmware (
  fwcrc BIGINT PRIMARY KEY NOT NULL,
  -- NULL: uploaded by an admin, usable by every owner
  owner_id TEXT COLLATE "C" REFERENCES owners (id),
  version TEXT COLLATE "C",
  image BYTEA NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL
);

-- Signatures of a firmware image: one per station key (sig-N.key = 64 bytes X||Y, key_crc its CRC)
CREATE TABLE firmware_signatures (
  fwcrc BIGINT NOT NULL REFERENCES firmware (fwcrc),
  key_crc BIGINT NOT NULL,
  sig_key BYTEA NOT NULL,
  signature BYTEA NOT NULL,
  PRIMARY KEY (fwcrc, key_crc)
);

-- Audit log: who (actor), what (action), which gateway/owner (target, ID6), when, from where.
-- detail is a JSON object and never holds a secret. ids are allocated by the core (max + 1 in the
-- writing transaction) so a journal replay is deterministic.
CREATE TABLE audit_log (
  id BIGINT PRIMARY KEY NOT NULL,
  at TEXT COLLATE "C" NOT NULL,
  actor TEXT COLLATE "C" NOT NULL,
  address TEXT COLLATE "C",
  action TEXT COLLATE "C" NOT NULL,
  target TEXT COLLATE "C",
  detail TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
