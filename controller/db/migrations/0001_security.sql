-- Roles, row-level security, grants and ledger triggers.
-- The application never runs as the owner: every unit of work switches to factory_app (a NOLOGIN, non-owner,
-- NOBYPASSRLS role) with a transaction-local SET ROLE, so RLS and the grants below always apply to it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'factory_app') THEN
    CREATE ROLE factory_app NOLOGIN NOINHERIT NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another migrator created it concurrently; roles are cluster-wide
END $$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AND NOT pg_has_role(current_user, 'factory_app', 'MEMBER') THEN
    EXECUTE format('GRANT factory_app TO %I', current_user);
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION app_tenant() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.tenant_id', true), '') $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO factory_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON tenants TO factory_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_usage TO factory_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON ledger_entries, ledger_checkpoints TO factory_app;
--> statement-breakpoint
GRANT SELECT ON ledger_head TO factory_app;
--> statement-breakpoint
ALTER TABLE tenant_usage ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenant_usage FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenant_usage
  USING (tenant_id = app_tenant())
  WITH CHECK (tenant_id = app_tenant());
--> statement-breakpoint
CREATE FUNCTION ledger_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'SF001';
END $$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_reject_change();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change();
--> statement-breakpoint
CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints
  FOR EACH ROW EXECUTE FUNCTION ledger_reject_change();
--> statement-breakpoint
CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change();
--> statement-breakpoint
INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));
--> statement-breakpoint
-- Every insert must extend the head exactly and carry the SHA-256 of its body; the head moves only here. Two
-- appenders that raced past the application's lock would fork the chain, so the database refuses the second.
CREATE FUNCTION ledger_link() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  entry jsonb := NEW.body::jsonb;
BEGIN
  SELECT seq, hash INTO head_seq, head_hash FROM ledger_head WHERE id = 1 FOR UPDATE;
  IF NEW.seq IS DISTINCT FROM head_seq + 1 OR (entry ->> 'seq')::bigint IS DISTINCT FROM NEW.seq
     OR (entry ->> 'prevHash') IS DISTINCT FROM head_hash THEN
    RAISE EXCEPTION 'ledger entry % does not extend the chain head %', NEW.seq, head_seq USING ERRCODE = 'SF002';
  END IF;
  IF NEW.hash IS DISTINCT FROM encode(sha256(convert_to(NEW.body, 'UTF8')), 'hex') THEN
    RAISE EXCEPTION 'ledger entry % does not match its hash', NEW.seq USING ERRCODE = 'SF003';
  END IF;
  UPDATE ledger_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
  RETURN NEW;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION ledger_link() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_link BEFORE INSERT ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_link();
