-- CreateTable
CREATE TABLE "ingest_event" (
    "process_id" INTEGER NOT NULL,
    "event_id" TEXT NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_event_pkey" PRIMARY KEY ("process_id","event_id")
);

-- CreateIndex
CREATE INDEX "ingest_event_received_at_idx" ON "ingest_event"("received_at");
