-- CreateTable
CREATE TABLE "channel" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "settings" JSONB NOT NULL,
    "secret_enc" TEXT NOT NULL,
    "rate_max" INTEGER,
    "rate_per_sec" INTEGER,
    "created_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert" (
    "id" BIGSERIAL NOT NULL,
    "dedup_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'notify',
    "outbox_id" BIGINT,
    "channel_id" UUID,
    "channel_name" TEXT NOT NULL,
    "process_id" INTEGER,
    "task_id" UUID,
    "node_id" TEXT,
    "severity" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "fields" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "job_id" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "round_start" INTEGER NOT NULL DEFAULT 0,
    "resends" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "lease_until" TIMESTAMP(3),
    "next_attempt_at" TIMESTAMP(3),
    "notified_at" TIMESTAMP(3) NOT NULL,
    "sent_at" TIMESTAMP(3),
    "latency_ms" INTEGER,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_attempt" (
    "id" BIGSERIAL NOT NULL,
    "alert_id" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "http_status" INTEGER,
    "error" TEXT,

    CONSTRAINT "alert_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "channel_name_key" ON "channel"("name");

-- CreateIndex
CREATE UNIQUE INDEX "alert_dedup_key_key" ON "alert"("dedup_key");

-- CreateIndex
CREATE INDEX "alert_process_id_id_idx" ON "alert"("process_id", "id");

-- CreateIndex
CREATE INDEX "alert_channel_id_id_idx" ON "alert"("channel_id", "id");

-- CreateIndex
CREATE INDEX "alert_status_id_idx" ON "alert"("status", "id");

-- CreateIndex
CREATE INDEX "alert_attempt_alert_id_id_idx" ON "alert_attempt"("alert_id", "id");

-- AddForeignKey
ALTER TABLE "alert_attempt" ADD CONSTRAINT "alert_attempt_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;
