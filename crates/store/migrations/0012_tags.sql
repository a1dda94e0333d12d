-- Subscriptions take tags as resource groups and resources do (a JSON object of tags). Those made
-- before have none.
ALTER TABLE subscriptions ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
