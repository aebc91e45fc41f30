-- The owner of each Step Trainer, found from the readings themselves,
-- because the serial number in a customer record may be wrong: one
-- fulfilment site registered the same few serials for many customers.
-- The app and the device record at the same millisecond during an
-- exercise, so a device's owner is the app user whose accelerometer
-- timestamps coincide with most of the device's distinct reading times.
-- That user is accepted only when both thresholds hold:
--   support: the user shares at least 90% of the device's reading times,
--     because an owner's app records every exercise the device records,
--     while a non-owner may share up to 77% (see below). A device whose
--     owner's app readings were partly lost, for example quarantined,
--     therefore stays unresolved rather than risk a wrong owner;
--   margin: the runner-up shares at most 80% as many times as the best
--     user, because customers exercising at the same moments also
--     coincide. In the STEDI starter data each device's owner shares 30 of
--     its 30 reading times and the strongest runner-up shares 23 (77%).
-- A user exercises on one device at a time. So a user accepted for several
-- devices keeps only the one with most shared readings (on a tie, the one
-- their record names), and the other devices have no reading match.
-- A device without a reading match falls back to its registration when
-- exactly one customer registered its serial, that customer shares as
-- many of its readings as any other user, and no other device matched
-- them. Any other device is unresolved: it is listed with no e-mail and
-- none of its readings goes further.
-- Candidates are all app users, consenting or not, so that a device of a
-- customer without consent never goes to a consenting runner-up; the
-- table then keeps only devices of consenting owners and unresolved ones.
-- Columns: resolution is registered (the owner's own record names this
-- serial), inferred (it names another serial) or unresolved; evidence is
-- readings, registration or none.
-- zone: trusted
-- inputs: step_trainer_landing, accelerometer_landing, customer_landing, customer_trusted
-- check: not_null(serialNumber)
-- check: unique(serialNumber)
-- check: accepted_values(resolution, 'registered', 'inferred', 'unresolved')
-- check: accepted_values(evidence, 'readings', 'registration', 'none')
-- check: consenting_only(email)
-- check: not_null(email) warn
WITH device_times AS (
  SELECT DISTINCT serialNumber, sensorReadingTime
  FROM step_trainer_landing
  WHERE serialNumber IS NOT NULL AND sensorReadingTime IS NOT NULL
),
devices AS (
  SELECT serialNumber, count(*) AS readings FROM device_times GROUP BY serialNumber
),
app_times AS (
  SELECT DISTINCT user, timestamp FROM accelerometer_landing WHERE user IS NOT NULL
),
shared AS (
  SELECT d.serialNumber, a.user AS email, count(*) AS shared_readings
  FROM device_times AS d
  JOIN app_times AS a ON a.timestamp = d.sensorReadingTime
  GROUP BY d.serialNumber, a.user
),
ranked AS (
  SELECT *,
         row_number() OVER (PARTITION BY serialNumber ORDER BY shared_readings DESC, email) AS rank,
         count(*) OVER (PARTITION BY serialNumber) AS candidates
  FROM shared
),
best AS (
  SELECT first.serialNumber, first.email, first.shared_readings, first.candidates,
         coalesce(second.shared_readings, 0) AS runner_up_readings
  FROM ranked AS first
  LEFT JOIN ranked AS second
    ON second.serialNumber = first.serialNumber AND second.rank = 2
  WHERE first.rank = 1
),
latest_customers AS (
  SELECT email, serialNumber
  FROM customer_landing
  QUALIFY row_number() OVER (
    PARTITION BY email
    ORDER BY lastUpdateDate DESC NULLS LAST, registrationDate DESC NULLS LAST,
             serialNumber, customerName
  ) = 1
),
registrations AS (
  SELECT serialNumber, count(*) AS registered_customers, min(email) AS email
  FROM latest_customers
  GROUP BY serialNumber
),
proposed AS (
  SELECT b.serialNumber, b.email, b.shared_readings
  FROM best AS b
  JOIN devices AS d ON d.serialNumber = b.serialNumber
  WHERE b.shared_readings >= 0.9 * d.readings
    AND b.runner_up_readings <= 0.8 * b.shared_readings
),
matched AS (
  SELECT p.serialNumber, p.email
  FROM proposed AS p
  LEFT JOIN latest_customers AS c ON c.email = p.email
  QUALIFY row_number() OVER (
    PARTITION BY p.email
    ORDER BY p.shared_readings DESC, c.serialNumber = p.serialNumber DESC NULLS LAST,
             p.serialNumber
  ) = 1
),
decided AS (
  SELECT d.serialNumber, d.readings,
         coalesce(b.shared_readings, 0) AS shared_readings,
         coalesce(b.runner_up_readings, 0) AS runner_up_readings,
         coalesce(b.candidates, 0) AS candidates,
         coalesce(r.registered_customers, 0) AS registered_customers,
         CASE
           WHEN m.email IS NOT NULL THEN 'readings'
           WHEN r.registered_customers = 1
                AND coalesce(rs.shared_readings, 0) >= coalesce(b.shared_readings, 0)
                AND taken.email IS NULL THEN 'registration'
           ELSE 'none'
         END AS evidence,
         CASE evidence WHEN 'readings' THEN m.email WHEN 'registration' THEN r.email END AS email
  FROM devices AS d
  LEFT JOIN best AS b ON b.serialNumber = d.serialNumber
  LEFT JOIN matched AS m ON m.serialNumber = d.serialNumber
  LEFT JOIN registrations AS r ON r.serialNumber = d.serialNumber
  LEFT JOIN shared AS rs ON rs.serialNumber = d.serialNumber AND rs.email = r.email
  LEFT JOIN matched AS taken ON taken.email = r.email
)
SELECT d.serialNumber, d.email,
       CASE
         WHEN d.email IS NULL THEN 'unresolved'
         WHEN c.serialNumber = d.serialNumber THEN 'registered'
         ELSE 'inferred'
       END AS resolution,
       d.evidence, d.readings, d.shared_readings, d.runner_up_readings, d.candidates,
       d.registered_customers
FROM decided AS d
LEFT JOIN latest_customers AS c ON c.email = d.email
WHERE d.email IS NULL OR d.email IN (SELECT email FROM customer_trusted)
ORDER BY d.serialNumber
