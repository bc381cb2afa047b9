-- PostgreSQL counterpart of migrations/0026-factory-records.sql (same number and name; see docs/server-mode.md).
-- Text columns use the "C" collation so ORDER BY and ranges compare bytes, as SQLite does.
CREATE TABLE factory_records (
  record_id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  eui TEXT COLLATE "C" NOT NULL,
  batch_id TEXT COLLATE "C" NOT NULL REFERENCES batches (id),
  station_batch TEXT COLLATE "C" NOT NULL,
  kcv TEXT COLLATE "C" NOT NULL,
  event TEXT COLLATE "C" NOT NULL,
  state TEXT COLLATE "C" NOT NULL,
  at TEXT COLLATE "C" NOT NULL,
  station TEXT COLLATE "C" NOT NULL,
  operator TEXT COLLATE "C" NOT NULL,
  record TEXT COLLATE "C" NOT NULL,
  key_id TEXT COLLATE "C" NOT NULL,
  op_id TEXT COLLATE "C",
  received_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX factory_records_eui ON factory_records (eui, at);
