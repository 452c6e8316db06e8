CREATE TABLE "ledger_checkpoints" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root_hash" text NOT NULL,
	"head_hash" text NOT NULL,
	"signed_at" timestamp (3) with time zone NOT NULL,
	"key_id" text NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"body" text NOT NULL,
	"hash" text NOT NULL,
	"ts" text GENERATED ALWAYS AS ((body::jsonb ->> 'ts')) STORED,
	"tenant_id" text GENERATED ALWAYS AS ((body::jsonb ->> 'tenant')) STORED,
	"actor" text GENERATED ALWAYS AS ((body::jsonb ->> 'actor')) STORED,
	"action" text GENERATED ALWAYS AS ((body::jsonb ->> 'action')) STORED,
	"resource" text GENERATED ALWAYS AS ((body::jsonb ->> 'resource')) STORED,
	"payload" jsonb GENERATED ALWAYS AS ((body::jsonb -> 'payload')) STORED,
	"prev_hash" text GENERATED ALWAYS AS ((body::jsonb ->> 'prevHash')) STORED,
	CONSTRAINT "ledger_entries_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "ledger_head" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "ledger_head_single_row" CHECK ("ledger_head"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "tenant_usage" (
	"tenant_id" text NOT NULL,
	"resource" text NOT NULL,
	"used" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_usage_tenant_id_resource_pk" PRIMARY KEY("tenant_id","resource"),
	CONSTRAINT "tenant_usage_used_nonnegative" CHECK ("tenant_usage"."used" >= 0)
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"display_name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_id_format" CHECK ("tenants"."id" ~ '^[a-z][a-z0-9]{1,30}$')
);
--> statement-breakpoint
ALTER TABLE "tenant_usage" ADD CONSTRAINT "tenant_usage_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_entries_tenant_seq" ON "ledger_entries" USING btree ("tenant_id","seq");