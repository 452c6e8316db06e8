-- Approvals and their votes are tenant data. Votes are only ever added; an approval changes status once.
GRANT SELECT, INSERT, UPDATE ON approvals TO factory_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON approval_votes TO factory_app;
--> statement-breakpoint
ALTER TABLE approvals ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE approvals FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON approvals USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
--> statement-breakpoint
ALTER TABLE approval_votes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE approval_votes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON approval_votes USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
