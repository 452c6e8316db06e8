-- Stored secrets are tenant data: the application role reads and overwrites them inside the tenant only, never deletes.
GRANT SELECT, INSERT, UPDATE ON tenant_secrets TO factory_app;
--> statement-breakpoint
ALTER TABLE tenant_secrets ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenant_secrets FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenant_secrets USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
