-- Handed-out provider credentials are tenant data: recorded and marked revoked, never deleted by the application.
GRANT SELECT, INSERT, UPDATE ON provider_credentials TO factory_app;
--> statement-breakpoint
ALTER TABLE provider_credentials ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE provider_credentials FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON provider_credentials USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
