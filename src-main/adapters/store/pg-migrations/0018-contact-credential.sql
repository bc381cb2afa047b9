-- PostgreSQL counterpart of migrations/0018-contact-credential.sql (same number and name; see docs/server-mode.md).
-- Which credential a gateway's last CUPS contact authenticated with (docs/rotation.md "The
-- station's backup set"): 'token' (a batch gateway's token; token_generation says which
-- generation, SPEC §2), 'added_token', 'certificate', or NULL (unauthenticated, plain HTTP).
ALTER TABLE cups_contacts ADD COLUMN credential TEXT COLLATE "C";
ALTER TABLE cups_contacts ADD COLUMN token_generation BIGINT;
