-- Client-certificate identities in site packs (docs/sync.md "Client certificates from the pack",
-- docs/client-certs.md): per packed gateway the SHA-256 fingerprints (of the DER) of the client
-- certificates the remote accepts for it (recorded, not revoked), and for the pack the CA
-- certificates the remote's CUPS verifies client certificates against. Public data only: no
-- private key is ever in a pack.
-- certificates: JSON array of 64-hex fingerprints; NULL (a pack stored before this migration) =
-- none, so a certificate-mode gateway stays refused until the pack is fetched again.
ALTER TABLE sync_site_pack_gateways ADD COLUMN certificates TEXT;
-- client_cas: JSON array of PEM CA certificates; NULL = none.
ALTER TABLE sync_site_pack ADD COLUMN client_cas TEXT;
