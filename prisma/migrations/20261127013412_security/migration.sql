-- CreateTable
CREATE TABLE "invite" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "created_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_user" (
    "id" TEXT NOT NULL,
    "login" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secret_enc" TEXT NOT NULL,
    "secret_rotated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "created_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_user_grant" (
    "id" SERIAL NOT NULL,
    "api_user_id" TEXT NOT NULL,
    "folder_id" INTEGER,
    "can_create" BOOLEAN NOT NULL DEFAULT false,
    "can_modify" BOOLEAN NOT NULL DEFAULT false,
    "can_view" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "api_user_grant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT,
    "actor_label" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "details" JSONB,
    "ip" TEXT,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "invite_token_hash_key" ON "invite"("token_hash");

-- CreateIndex
CREATE INDEX "invite_user_id_idx" ON "invite"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_user_login_key" ON "api_user"("login");

-- CreateIndex
CREATE UNIQUE INDEX "api_user_grant_api_user_id_folder_id_key" ON "api_user_grant"("api_user_id", "folder_id");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "audit_log_action_at_idx" ON "audit_log"("action", "at");

-- CreateIndex
CREATE INDEX "audit_log_actor_id_at_idx" ON "audit_log"("actor_id", "at");

-- AddForeignKey
ALTER TABLE "api_user_grant" ADD CONSTRAINT "api_user_grant_api_user_id_fkey" FOREIGN KEY ("api_user_id") REFERENCES "api_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: the reconciler scans active tasks and undispatched outbox rows every few seconds.
CREATE INDEX "task_active_changed_idx" ON "task" ("changed_at") WHERE "status" = 'active';
CREATE INDEX "outbox_pending_idx" ON "outbox" ("created_at") WHERE "dispatched_at" IS NULL;
