-- A user's given name and surname (Graph's givenName and surname, the id token's and userinfo's
-- given_name and family_name). Users created before have neither (NULL), as in Entra.
ALTER TABLE users ADD COLUMN given_name TEXT;
ALTER TABLE users ADD COLUMN surname TEXT;
