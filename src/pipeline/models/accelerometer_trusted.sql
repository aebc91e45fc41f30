-- Accelerometer readings of customers who consented to research.
-- zone: trusted
-- inputs: accelerometer_landing, customer_trusted
-- incremental: accelerometer_landing
-- check: not_null(user, timestamp)
-- check: references(user, customer_trusted.email)
-- check: consenting_only(user)
-- check: rows_at_most(accelerometer_landing)
SELECT a.user, a.timestamp, a.x, a.y, a.z
FROM accelerometer_landing AS a
WHERE a.user IN (SELECT email FROM customer_trusted)
