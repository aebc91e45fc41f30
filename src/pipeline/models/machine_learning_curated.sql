-- Each Step Trainer reading paired with the accelerometer readings of the
-- same customer at the same millisecond, with no direct identifiers.
-- The device serial leads to its customer and the customer's e-mail to the
-- accelerometer user. Joining on the timestamp alone would also pair
-- readings of different customers who exercised at the same millisecond.
-- zone: curated
-- inputs: step_trainer_trusted, accelerometer_trusted, customers_curated
-- incremental: step_trainer_trusted
SELECT s.sensorReadingTime, s.serialNumber, s.distanceFromObject, a.x, a.y, a.z
FROM step_trainer_trusted AS s
JOIN customers_curated AS c ON c.serialNumber = s.serialNumber
JOIN accelerometer_trusted AS a
  ON a.user = c.email AND a.timestamp = s.sensorReadingTime
