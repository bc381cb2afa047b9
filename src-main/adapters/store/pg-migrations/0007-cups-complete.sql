-- PostgreSQL counterpart of migrations/0007-cups-complete.sql (same number and name; see docs/server-mode.md).
-- Text columns use the "C" collation so ORDER BY and ranges compare bytes, as SQLite does.
-- CUPS complete: firmware catalogue details and deliveries (SPEC §3.4), the station's own
-- update-signing keys, gateway TLS client certificates (SPEC §3.1) and token rotation history
-- (SPEC §2). Same portable subset and conventions as 0001: times are ISO-8601 UTC strings from the
-- core's clock, gateway ids 16 uppercase hex digits, CRCs unsigned 32-bit values as BIGINT.

-- SHA-256 of the image (64 lowercase hex), shown by firmware list so operators can compare builds
ALTER TABLE firmware ADD COLUMN sha256 TEXT COLLATE "C";

-- One row per firmware delivery (SPEC §3.4: once per gateway per setup). Written in the same
-- full-durability transaction that marks setups.fw_sent_at, before the bytes leave the server.
-- package is the version.txt the gateway reported then: a different one later means "installed"
CREATE TABLE firmware_deliveries (
  eui TEXT COLLATE "C" NOT NULL,
  sent_at TEXT COLLATE "C" NOT NULL,
  fwcrc BIGINT NOT NULL,
  fw_after TEXT COLLATE "C",
  key_crc BIGINT NOT NULL,
  package TEXT COLLATE "C",
  address TEXT COLLATE "C"
);
CREATE INDEX firmware_deliveries_eui ON firmware_deliveries (eui, sent_at);

-- The station's own update-signing keys (ECDSA P-256, private half inside the HSM). public_key is
-- the 64-byte sig-N.key form, key_crc its CRC-32. The active key signs and goes into bundles as
-- sig-0.key; at most one row is active (enforced by the core in one transaction)
CREATE TABLE update_signing_keys (
  handle TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  key_crc BIGINT NOT NULL,
  public_key BYTEA NOT NULL,
  label TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  active INTEGER NOT NULL DEFAULT 0
);

-- TLS client certificates bound to gateways (SPEC §3.1 certificate mode), by SHA-256 fingerprint of
-- the DER (64 lowercase hex). source: issued (by the station's CA), seen (first met at CUPS, issued
-- elsewhere), listed (revoked by fingerprint before it was ever seen). A revoked certificate is
-- refused by CUPS with 403 even though its chain verifies
CREATE TABLE client_certificates (
  fingerprint TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  eui TEXT COLLATE "C" NOT NULL,
  source TEXT COLLATE "C" NOT NULL CHECK (source IN ('issued', 'seen', 'listed')),
  serial TEXT COLLATE "C",
  subject TEXT COLLATE "C",
  not_after TEXT COLLATE "C",
  created_at TEXT COLLATE "C" NOT NULL,
  revoked_at TEXT COLLATE "C",
  revoked_by TEXT COLLATE "C"
);
CREATE INDEX client_certificates_eui ON client_certificates (eui, created_at);

-- CUPS token rotations (SPEC §2): started by the Owner API (g -> g + 1), completed when the gateway
-- authenticates with g + 1 (how = auth) or reports the CRC of the g + 1 cupsCred (how = crc)
CREATE TABLE token_rotations (
  eui TEXT COLLATE "C" NOT NULL,
  to_gen BIGINT NOT NULL,
  from_gen BIGINT NOT NULL,
  started_at TEXT COLLATE "C" NOT NULL,
  started_by TEXT COLLATE "C" NOT NULL,
  completed_at TEXT COLLATE "C",
  completed_how TEXT COLLATE "C",
  PRIMARY KEY (eui, to_gen)
);
