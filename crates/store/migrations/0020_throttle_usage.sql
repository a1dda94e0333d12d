-- What each instance charged to callers' request buckets in one interval (about a second), so that
-- the others charge it too: with several instances a caller's limit holds within one interval's
-- requests. Rows older than a few seconds are deleted; nothing here outlives a restart's interest.
CREATE TABLE throttle_usage (
    instance TEXT NOT NULL,
    at BIGINT NOT NULL,
    bucket TEXT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (instance, at, bucket)
);
CREATE INDEX throttle_usage_at ON throttle_usage (at);
