-- PostgreSQL counterpart of migrations/0008-claim-lockout.sql (same number and name).
-- Claim lockout per (gateway, owner) (docs/security.md "Claim lockout"): wrong PINs are counted per
-- gateway *and owner* in the sliding window, so one owner's failures never lock the gateway against
-- another; a high per-gateway ceiling over all owners stays. This index answers both the per-pair
-- count and the "oldest failure still in the window" read that gives the time left.
CREATE INDEX claim_failures_eui_owner ON claim_failures (eui, owner_id, at);
