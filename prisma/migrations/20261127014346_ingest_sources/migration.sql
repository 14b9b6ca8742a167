-- CreateTable
CREATE TABLE "ingest_source" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "process_id" INTEGER NOT NULL,
    "auth_type" TEXT NOT NULL,
    "token_hash" TEXT,
    "secret_enc" TEXT,
    "replay_window_sec" INTEGER NOT NULL DEFAULT 300,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "created_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3),
    "accepted_total" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "ingest_source_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ingest_source_process_id_idx" ON "ingest_source"("process_id");
