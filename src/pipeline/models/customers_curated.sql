-- Consenting customers who have at least one accelerometer reading, once each.
-- zone: curated
-- inputs: customer_trusted, accelerometer_trusted
SELECT c.*
FROM customer_trusted AS c
WHERE c.email IN (SELECT DISTINCT user FROM accelerometer_trusted)
ORDER BY c.email
