-- CreateIndex
CREATE INDEX CONCURRENTLY "Order_userId_idx" ON "Order"("userId");
