-- Step Trainer readings of devices that belong to curated customers. The
-- owner comes from device_owner, not from the serial in a customer record,
-- so readings of an unresolved device go no further.
-- zone: trusted
-- inputs: step_trainer_landing, device_owner, customers_curated
-- incremental: step_trainer_landing
-- check: not_null(sensorReadingTime, serialNumber)
-- check: accepted_range(distanceFromObject, 0, 10000)
-- check: references(serialNumber, device_owner.serialNumber)
-- check: consenting_only(serialNumber, device_owner)
-- check: rows_at_most(step_trainer_landing)
SELECT s.sensorReadingTime, s.serialNumber, s.distanceFromObject
FROM step_trainer_landing AS s
WHERE s.serialNumber IN (
  SELECT o.serialNumber
  FROM device_owner AS o
  JOIN customers_curated AS c ON c.email = o.email
)
