-- Step Trainer readings of devices that belong to curated customers.
-- zone: trusted
-- inputs: step_trainer_landing, customers_curated
-- incremental: step_trainer_landing
SELECT s.sensorReadingTime, s.serialNumber, s.distanceFromObject
FROM step_trainer_landing AS s
WHERE s.serialNumber IN (SELECT serialNumber FROM customers_curated)
