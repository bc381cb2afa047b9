-- PostgreSQL counterpart of migrations/0006-factory-line.sql (same number and name; see docs/server-mode.md).
-- Text columns use the "C" collation so ORDER BY and ranges compare bytes, as SQLite does.
-- Factory line tables (SPEC §2, §5, docs/factory-line.md): per-batch line settings, personalized
-- units with their line history, pre-generation jobs with a durable cursor, and per-station line
-- settings. Same portable subset and conventions as 0001: EUIs are 16 uppercase hex digits, times
-- ISO-8601 UTC strings from the core's clock, ids allocated by the core. No row holds a secret:
-- GMKs, PINs and tokens are re-derived through the HSM whenever they are needed.

-- What bundles of a batch carry beyond the batch row: the gateway model, the join server's public
-- CUPS URI (overrides batches.cups_uri for bundles) and the trust (PEM) gateways get for it
CREATE TABLE factory_batches (
  batch_id TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES batches (id),
  model TEXT COLLATE "C",
  cups_uri TEXT COLLATE "C",
  trust_pem TEXT COLLATE "C",
  updated_at TEXT COLLATE "C" NOT NULL,
  updated_by TEXT COLLATE "C" NOT NULL
);

-- One row per personalized gateway. state: personalized (bundle written) -> printed (label sent)
-- -> verified (printed QR scanned back and matched the HSM-derived PIN) | blocked (mismatch).
-- A re-personalization needs a reason and resets the print/verify columns.
CREATE TABLE factory_units (
  eui TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  batch_id TEXT COLLATE "C" NOT NULL REFERENCES batches (id),
  state TEXT COLLATE "C" NOT NULL CHECK (state IN ('personalized', 'printed', 'verified', 'blocked')),
  -- 1 when the operator scanned a MAC-48 (the label then shows it)
  from_mac INTEGER NOT NULL DEFAULT 0,
  personalized_at TEXT COLLATE "C" NOT NULL,
  personalized_by TEXT COLLATE "C" NOT NULL,
  -- the station (host) that personalized the unit last
  station TEXT COLLATE "C" NOT NULL,
  personalize_count INTEGER NOT NULL DEFAULT 1,
  repersonalize_reason TEXT COLLATE "C",
  -- pre-generation job that wrote the unit; NULL when personalized on the line
  job_id TEXT COLLATE "C",
  bundle_path TEXT COLLATE "C",
  printed_at TEXT COLLATE "C",
  print_count INTEGER NOT NULL DEFAULT 0,
  verified_at TEXT COLLATE "C",
  verified_by TEXT COLLATE "C",
  blocked_at TEXT COLLATE "C",
  blocked_reason TEXT COLLATE "C",
  updated_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX factory_units_batch ON factory_units (batch_id, state);

-- Unit history: every line step of every unit (personalized, printed, print_failed, verified,
-- mismatch, hook_failed, ...). detail is a JSON object without secrets
CREATE TABLE factory_unit_events (
  id BIGINT PRIMARY KEY NOT NULL,
  eui TEXT COLLATE "C" NOT NULL,
  batch_id TEXT COLLATE "C" NOT NULL,
  at TEXT COLLATE "C" NOT NULL,
  actor TEXT COLLATE "C" NOT NULL,
  station TEXT COLLATE "C" NOT NULL,
  event TEXT COLLATE "C" NOT NULL,
  detail TEXT COLLATE "C" NOT NULL
);
CREATE INDEX factory_unit_events_eui ON factory_unit_events (eui, id);
CREATE INDEX factory_unit_events_batch ON factory_unit_events (batch_id, id);

-- Pre-generation jobs: a contiguous EUI range written as bundles (+ labels) in chunks. next_eui is
-- the cursor: every unit before it is on disk (flushed) and in factory_units, committed in the same
-- transaction as the cursor; NULL once the whole range is done. A job reserves its range: the line
-- and other jobs stay out of it
CREATE TABLE factory_jobs (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  batch_id TEXT COLLATE "C" NOT NULL REFERENCES batches (id),
  first_eui TEXT COLLATE "C" NOT NULL,
  last_eui TEXT COLLATE "C" NOT NULL,
  next_eui TEXT COLLATE "C",
  total INTEGER NOT NULL,
  done_count INTEGER NOT NULL DEFAULT 0,
  out_dir TEXT COLLATE "C" NOT NULL,
  -- JSON: {zip, labels, template}
  options TEXT COLLATE "C" NOT NULL,
  state TEXT COLLATE "C" NOT NULL CHECK (state IN ('running', 'cancelled', 'failed', 'done')),
  error TEXT COLLATE "C",
  station TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  created_by TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX factory_jobs_batch ON factory_jobs (batch_id, first_eui);

-- Line settings per station (output folder, zip, post-write hook, printer, label template) as a
-- JSON object; written by an admin only, since the hook runs a command on the station
CREATE TABLE factory_line_settings (
  station TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  settings TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  updated_by TEXT COLLATE "C" NOT NULL
);
