-- Intents are tenant data; the application records and completes them but never deletes one.
GRANT SELECT, INSERT, UPDATE ON intents TO factory_app;
--> statement-breakpoint
ALTER TABLE intents ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE intents FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON intents USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
