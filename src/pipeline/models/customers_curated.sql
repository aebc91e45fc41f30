-- Consenting customers who have at least one accelerometer reading, once each,
-- with the serial of the Step Trainer the readings show to be theirs
-- (resolvedSerialNumber, see device_owner) and how it was found
-- (serialResolution: registered, inferred or unresolved). serialNumber stays
-- the serial of the customer's own record. A customer who owns several
-- devices gets the one with most coinciding readings here.
-- zone: curated
-- inputs: customer_trusted, accelerometer_trusted, device_owner
-- check: not_null(email)
-- check: unique(email)
-- check: rows_at_most(customer_trusted)
-- check: consenting_only(email)
-- check: accepted_values(serialResolution, 'registered', 'inferred', 'unresolved')
-- check: not_null(resolvedSerialNumber) warn
WITH owned AS (
  SELECT email, serialNumber, resolution
  FROM device_owner
  WHERE email IS NOT NULL
  QUALIFY row_number() OVER (
    PARTITION BY email ORDER BY shared_readings DESC, serialNumber
  ) = 1
)
SELECT c.*,
       o.serialNumber AS resolvedSerialNumber,
       coalesce(o.resolution, 'unresolved') AS serialResolution
FROM customer_trusted AS c
LEFT JOIN owned AS o ON o.email = c.email
WHERE c.email IN (SELECT DISTINCT user FROM accelerometer_trusted)
ORDER BY c.email
