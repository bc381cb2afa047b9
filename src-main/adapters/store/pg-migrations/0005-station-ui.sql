-- PostgreSQL counterpart of migrations/0005-station-ui.sql (same number and name; see docs/server-mode.md).
-- Text columns use the "C" collation so ORDER BY and ranges compare bytes, as SQLite does.
-- Station UI tables: local operator accounts, their sessions, setup templates, login
-- throttling and small station settings. Same portable subset and conventions as 0001: times are
-- ISO-8601 UTC strings from the core's clock, owner ids 16 uppercase hex digits.

-- Operator accounts of the HTTP bridge. password_hash is scrypt (see core/station/passwords.ts)
CREATE TABLE operators (
  name TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  role TEXT COLLATE "C" NOT NULL CHECK (role IN ('admin', 'factory', 'installer')),
  -- NULL: acts for any owner, else only for this owner
  owner_id TEXT COLLATE "C",
  password_hash TEXT COLLATE "C" NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL
);

-- Operator sessions: only SHA-256 of the random session id is stored, so a copy of the database
-- does not hand out live sessions. Shared by every instance on one database (DESIGN §2)
CREATE TABLE operator_sessions (
  id_hash TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  operator TEXT COLLATE "C" NOT NULL REFERENCES operators (name),
  created_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL,
  address TEXT COLLATE "C"
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator);
CREATE INDEX operator_sessions_expires ON operator_sessions (expires_at);

-- Failed logins, counted per key (operator name or client address) over a sliding window
CREATE TABLE login_failures (
  key TEXT COLLATE "C" NOT NULL,
  at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

-- Setup templates per owner: the mixed-form fields (SPEC §4.2 setup) as a JSON object
CREATE TABLE setup_templates (
  id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  owner_id TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  fields TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX setup_templates_owner_name ON setup_templates (owner_id, name);

-- Small station settings (the hashed one-time first-run password lives here until used)
CREATE TABLE station_settings (
  key TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  value TEXT COLLATE "C" NOT NULL
);

-- The dashboard's live activity reads the newest CUPS contacts
CREATE INDEX cups_contacts_at ON cups_contacts (at);
