-- PostgreSQL counterpart of migrations/0019-factory-line-position.sql (same number and name; see docs/server-mode.md).
-- Where each station's factory line stands (docs/factory-line.md "The line"): the unit it works on
-- between personalizing and verifying (or blocked, until the operator sets it aside).
CREATE TABLE factory_line_position (
  station TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  batch_id TEXT COLLATE "C" NOT NULL,
  eui TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  updated_by TEXT COLLATE "C" NOT NULL
);
