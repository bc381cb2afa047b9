-- Which credential a gateway's last CUPS contact authenticated with (docs/rotation.md "The
-- station's backup set"): 'token' (a batch gateway's token; token_generation says which
-- generation, SPEC §2), 'added_token', 'certificate', or NULL (unauthenticated, plain HTTP).
-- Rows written before this migration stay NULL until the gateway's next contact.
ALTER TABLE cups_contacts ADD COLUMN credential TEXT;
ALTER TABLE cups_contacts ADD COLUMN token_generation INTEGER;
