-- The controller looks operators up by key hash and creates them; it never deletes one (revoked_at instead).
GRANT SELECT, INSERT, UPDATE ON operators TO factory_app;
