-- Model usage is tenant data and an account of money spent: the application records and reads it, never
-- changes or deletes it.
GRANT SELECT, INSERT ON model_usage TO factory_app;
--> statement-breakpoint
ALTER TABLE model_usage ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE model_usage FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON model_usage USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
