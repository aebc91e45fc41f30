-- Each Step Trainer reading paired with the accelerometer readings of the
-- same customer at the same millisecond, with no direct identifiers.
-- device_owner leads from the device serial to its owner's e-mail, which is
-- the accelerometer user. Joining on the timestamp alone would also pair
-- readings of different customers who exercised at the same millisecond;
-- the rows_at_most check catches that as more rows at one millisecond than
-- there are accelerometer readings at it.
-- zone: curated
-- inputs: step_trainer_trusted, accelerometer_trusted, device_owner
-- incremental: step_trainer_trusted
-- check: no_columns(email, customerName, phone, birthDay, user)
-- check: not_null(sensorReadingTime, serialNumber, x, y, z)
-- check: rows_at_most(accelerometer_trusted, sensorReadingTime = timestamp)
-- check: references(serialNumber, step_trainer_trusted.serialNumber)
-- check: consenting_only(serialNumber, device_owner)
SELECT s.sensorReadingTime, s.serialNumber, s.distanceFromObject, a.x, a.y, a.z
FROM step_trainer_trusted AS s
JOIN device_owner AS o ON o.serialNumber = s.serialNumber
JOIN accelerometer_trusted AS a
  ON a.user = o.email AND a.timestamp = s.sensorReadingTime
