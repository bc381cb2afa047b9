-- PostgreSQL counterpart of migrations/0027-factory-link.sql (same number and name; see docs/server-mode.md).
-- A factory link has no owner, nor do the factory records it queues: owner_id may be NULL.
ALTER TABLE sync_link ALTER COLUMN owner_id DROP NOT NULL;
ALTER TABLE sync_outbox ALTER COLUMN owner_id DROP NOT NULL;
