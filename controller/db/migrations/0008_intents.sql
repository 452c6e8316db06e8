CREATE TABLE "intents" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"grant_jti" text NOT NULL,
	"agent_id" text NOT NULL,
	"server" text NOT NULL,
	"tool" text NOT NULL,
	"resource" text NOT NULL,
	"arguments" jsonb NOT NULL,
	"plan" jsonb,
	"decision" text NOT NULL,
	"policies" jsonb NOT NULL,
	"reasons" jsonb NOT NULL,
	"deadline" timestamp (3) with time zone NOT NULL,
	"outcome" text,
	"outcome_detail" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "intents" ADD CONSTRAINT "intents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "intents_tenant_idempotency" ON "intents" USING btree ("tenant_id","idempotency_key");