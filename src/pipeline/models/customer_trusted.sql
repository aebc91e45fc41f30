-- Customers who agreed to share their data for research.
-- A customer delivered more than once is kept once: the record with the
-- latest lastUpdateDate wins, its consent fields included. A missing
-- shareWithResearchAsOfDate key lands as NULL, so both mean no consent.
-- zone: trusted
-- inputs: customer_landing
-- check: not_null(email)
-- check: unique(email)
-- check: matches(email, '^[^@]+@[^@]+$')
-- check: consenting_only(email)
-- check: rows_at_most(customer_landing)
-- check: unique(email) on customer_landing warn
-- check: determines(serialNumber, email) on customer_landing warn
WITH latest AS (
  SELECT *
  FROM customer_landing
  QUALIFY row_number() OVER (
    PARTITION BY email
    ORDER BY lastUpdateDate DESC NULLS LAST, registrationDate DESC NULLS LAST,
             serialNumber, customerName
  ) = 1
)
SELECT
  customerName, email, phone, birthDay, serialNumber,
  registrationDate, lastUpdateDate,
  shareWithResearchAsOfDate, shareWithPublicAsOfDate, shareWithFriendsAsOfDate
FROM latest
WHERE shareWithResearchAsOfDate IS NOT NULL
ORDER BY email
