-- CreateTable
CREATE TABLE "dashboard" (
    "id" SERIAL NOT NULL,
    "folder_id" INTEGER,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "widgets" JSONB NOT NULL DEFAULT '[]',
    "revision" INTEGER NOT NULL DEFAULT 0,
    "created_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dashboard_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "counter_snapshot" (
    "process_id" INTEGER NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "counts" JSONB NOT NULL,
    "sums" JSONB,

    CONSTRAINT "counter_snapshot_pkey" PRIMARY KEY ("process_id","minute")
);

-- CreateTable
CREATE TABLE "node_purged_total" (
    "process_id" INTEGER NOT NULL,
    "node_id" TEXT NOT NULL,
    "total" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "node_purged_total_pkey" PRIMARY KEY ("process_id","node_id")
);

-- CreateTable
CREATE TABLE "retention_policy" (
    "process_id" INTEGER NOT NULL,
    "keep_finished_sec" INTEGER NOT NULL,
    "archive" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "updated_by_id" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_run_at" TIMESTAMP(3),
    "last_purged" INTEGER NOT NULL DEFAULT 0,
    "purged_total" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "retention_policy_pkey" PRIMARY KEY ("process_id")
);

-- CreateTable
CREATE TABLE "count_signal" (
    "id" BIGSERIAL NOT NULL,
    "process_id" INTEGER NOT NULL,
    "node_id" TEXT NOT NULL,
    "esc_node_id" TEXT NOT NULL,
    "start" BOOLEAN NOT NULL,
    "count" INTEGER NOT NULL,
    "threshold" INTEGER NOT NULL,
    "task_id" UUID,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "count_signal_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "dashboard_folder_id_idx" ON "dashboard"("folder_id");

-- CreateIndex
CREATE INDEX "counter_snapshot_minute_idx" ON "counter_snapshot"("minute");

-- CreateIndex
CREATE INDEX "count_signal_process_id_node_id_id_idx" ON "count_signal"("process_id", "node_id", "id");

-- AddForeignKey
ALTER TABLE "dashboard" ADD CONSTRAINT "dashboard_folder_id_fkey" FOREIGN KEY ("folder_id") REFERENCES "folder"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "counter_snapshot" ADD CONSTRAINT "counter_snapshot_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "process"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node_purged_total" ADD CONSTRAINT "node_purged_total_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "process"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "retention_policy" ADD CONSTRAINT "retention_policy_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "process"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "count_signal" ADD CONSTRAINT "count_signal_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "process"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Retention finds a process's finished tasks by age (not expressible in the Prisma schema: partial index).
CREATE INDEX "task_finished_at_idx" ON "task"("process_id", "finished_at") WHERE "status" = 'finished';
