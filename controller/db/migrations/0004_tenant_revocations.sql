CREATE TABLE "tenant_revocations" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"revoked_at" timestamp (3) with time zone NOT NULL
);
