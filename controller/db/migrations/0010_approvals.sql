CREATE TABLE "approval_votes" (
	"approval_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"operator_id" text NOT NULL,
	"operator_name" text NOT NULL,
	"vote" text NOT NULL,
	"comment" text,
	"voted_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approval_votes_approval_id_operator_id_pk" PRIMARY KEY("approval_id","operator_id")
);
--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"intent_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"rules" jsonb NOT NULL,
	"approver_roles" jsonb NOT NULL,
	"quorum" integer NOT NULL,
	"requester" jsonb NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp (3) with time zone,
	CONSTRAINT "approvals_intent_id_unique" UNIQUE("intent_id"),
	CONSTRAINT "approvals_quorum_positive" CHECK ("approvals"."quorum" >= 1)
);
--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "started_by" text;--> statement-breakpoint
ALTER TABLE "approval_votes" ADD CONSTRAINT "approval_votes_approval_id_approvals_id_fk" FOREIGN KEY ("approval_id") REFERENCES "public"."approvals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_votes" ADD CONSTRAINT "approval_votes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_intent_id_intents_id_fk" FOREIGN KEY ("intent_id") REFERENCES "public"."intents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "approvals_tenant_status" ON "approvals" USING btree ("tenant_id","status");