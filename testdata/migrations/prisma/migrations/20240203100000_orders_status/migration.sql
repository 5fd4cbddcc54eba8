-- AlterTable
ALTER TABLE "Order" ADD COLUMN "note" TEXT;

-- CreateIndex
CREATE INDEX CONCURRENTLY "Order_status_idx" ON "Order"("status");
