-- Step Trainer readings of devices that belong to curated customers.
-- zone: trusted
-- inputs: step_trainer_landing, customers_curated
SELECT s.sensorReadingTime, s.serialNumber, s.distanceFromObject
FROM step_trainer_landing AS s
WHERE s.serialNumber IN (SELECT serialNumber FROM customers_curated)
