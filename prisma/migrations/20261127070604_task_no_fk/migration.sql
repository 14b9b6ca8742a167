-- DropForeignKey
ALTER TABLE "task" DROP CONSTRAINT "task_process_id_fkey";

-- DropForeignKey
ALTER TABLE "task" DROP CONSTRAINT "task_version_id_fkey";
