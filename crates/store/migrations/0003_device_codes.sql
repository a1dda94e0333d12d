-- The device authorization grant (RFC 8628, `az login --use-device-code`): a code the device polls with
-- (stored hashed) and the short code the person types on another device. `state` goes pending →
-- approved (with `grant_data`: who approved, for which tenant) or declined; approved → redeemed once.
CREATE TABLE device_codes (
    device_code_hash TEXT PRIMARY KEY,
    user_code TEXT NOT NULL UNIQUE,
    request TEXT NOT NULL,
    expires BIGINT NOT NULL,
    state TEXT NOT NULL,
    grant_data TEXT NOT NULL
);
