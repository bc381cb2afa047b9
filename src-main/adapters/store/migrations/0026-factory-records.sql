-- Factory personalization records, the remote's side (docs/sync.md "Factory records"): what a
-- factory station reported of each step of a unit on its line (personalized, printed, verified,
-- blocked …), accepted only for a gateway inside a batch of this server whose root key has the
-- KCV the station used. Same portable subset and conventions as 0001: EUIs 16 uppercase hex
-- digits, times ISO-8601 UTC strings, ids made by the station (record_id, recorded once).
-- record is the whole record as received (JSON, no secret: a unit holds none). key_id is the API
-- key that sent it, op_id the request's Idempotency-Key.
CREATE TABLE factory_records (
  record_id TEXT PRIMARY KEY NOT NULL,
  eui TEXT NOT NULL,
  batch_id TEXT NOT NULL REFERENCES batches (id),
  station_batch TEXT NOT NULL,
  kcv TEXT NOT NULL,
  event TEXT NOT NULL,
  state TEXT NOT NULL,
  at TEXT NOT NULL,
  station TEXT NOT NULL,
  operator TEXT NOT NULL,
  record TEXT NOT NULL,
  key_id TEXT NOT NULL,
  op_id TEXT,
  received_at TEXT NOT NULL
);
CREATE INDEX factory_records_eui ON factory_records (eui, at);
