-- Where each station's factory line stands (docs/factory-line.md "The line"): the unit it works on
-- between personalizing and verifying (or blocked, until the operator sets it aside). Kept in the
-- store, not in the browser tab, so a reload or a second screen resumes at the unit's step.
CREATE TABLE factory_line_position (
  station TEXT PRIMARY KEY NOT NULL,
  batch_id TEXT NOT NULL,
  eui TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
