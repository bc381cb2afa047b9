-- Firmware in site packs (docs/sync.md "Site packs", docs/firmware.md "Offline"): the images the
-- packed gateways' setups name, each stored once by its SHA-256 however many gateways name it,
-- with every signature the remote holds for it (signatures: JSON array of {keyCrc, signature}
-- Base64). Public data only: an update-signing private key never leaves the remote's HSM. A row
-- no packed gateway names any more is deleted with the pack that stopped naming it.
CREATE TABLE sync_site_pack_firmware (
  sha256 TEXT PRIMARY KEY NOT NULL,
  fwcrc BIGINT NOT NULL,
  image BYTEA NOT NULL,
  signatures TEXT NOT NULL
);

-- firmware: JSON {fwcrc, sha256, fwAfter, sentAt} of the setup's firmware (sentAt: the remote's
-- delivery), NULL = none. fw_delivered: JSON {fwcrc, fwAfter, sentAt, keyCrc} of this station's
-- own delivery of that setup's firmware (once per setup, SPEC §3.4), kept across pack
-- replacements while the setup names the same fwcrc and fwAfter; NULL = not delivered here.
ALTER TABLE sync_site_pack_gateways ADD COLUMN firmware TEXT;
ALTER TABLE sync_site_pack_gateways ADD COLUMN fw_delivered TEXT;
