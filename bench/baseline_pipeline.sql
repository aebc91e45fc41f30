-- Hand-written DuckDB baseline of the stedi pipeline, for bench/run.sh.
-- It reads the three landing folders once, runs the five jobs as plain
-- tables in memory and writes each job's output as one zstd Parquet file.
-- It keeps no raw copies, landing Parquet, catalog or snapshots, so it is
-- a lower bound on what stedi ingest + stedi run can cost.
--
-- Variables (run_sql --var): DATA is a folder written by stedi generate,
-- OUT an existing folder that receives the Parquet files.

CREATE TABLE customer_landing AS
SELECT *
FROM read_json('${DATA}/customer/landing/*.json', format = 'newline_delimited', columns = {
  customerName: 'VARCHAR', email: 'VARCHAR', phone: 'VARCHAR', birthDay: 'VARCHAR',
  serialNumber: 'VARCHAR', registrationDate: 'BIGINT', lastUpdateDate: 'BIGINT',
  shareWithResearchAsOfDate: 'BIGINT', shareWithPublicAsOfDate: 'BIGINT',
  shareWithFriendsAsOfDate: 'BIGINT'});

CREATE TABLE accelerometer_landing AS
SELECT *
FROM read_json('${DATA}/accelerometer/landing/*.json', format = 'newline_delimited', columns = {
  user: 'VARCHAR', timestamp: 'BIGINT', x: 'DOUBLE', y: 'DOUBLE', z: 'DOUBLE'});

CREATE TABLE step_trainer_landing AS
SELECT *
FROM read_json('${DATA}/step_trainer/landing/*.json', format = 'newline_delimited', columns = {
  sensorReadingTime: 'BIGINT', serialNumber: 'VARCHAR', distanceFromObject: 'BIGINT'});

-- Customers who agreed to share their data for research.
CREATE TABLE customer_trusted AS
SELECT * FROM customer_landing WHERE shareWithResearchAsOfDate IS NOT NULL;

-- Accelerometer readings of those customers.
CREATE TABLE accelerometer_trusted AS
SELECT * FROM accelerometer_landing
WHERE user IN (SELECT email FROM customer_trusted);

-- Trusted customers with at least one reading, once each.
CREATE TABLE customers_curated AS
SELECT * FROM customer_trusted
WHERE email IN (SELECT user FROM accelerometer_trusted);

-- Step trainer readings of the curated customers' devices.
CREATE TABLE step_trainer_trusted AS
SELECT * FROM step_trainer_landing
WHERE serialNumber IN (SELECT serialNumber FROM customers_curated);

-- Each step trainer reading with the accelerometer readings of the same
-- customer at the same millisecond.
CREATE TABLE machine_learning_curated AS
SELECT s.sensorReadingTime, s.serialNumber, s.distanceFromObject, a.x, a.y, a.z
FROM step_trainer_trusted AS s
JOIN customers_curated AS c ON c.serialNumber = s.serialNumber
JOIN accelerometer_trusted AS a ON a.user = c.email AND a.timestamp = s.sensorReadingTime;

COPY customer_trusted TO '${OUT}/customer_trusted.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY accelerometer_trusted TO '${OUT}/accelerometer_trusted.parquet'
  (FORMAT parquet, COMPRESSION zstd);
COPY customers_curated TO '${OUT}/customers_curated.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY step_trainer_trusted TO '${OUT}/step_trainer_trusted.parquet'
  (FORMAT parquet, COMPRESSION zstd);
COPY machine_learning_curated TO '${OUT}/machine_learning_curated.parquet'
  (FORMAT parquet, COMPRESSION zstd);

SELECT 'customer_trusted' AS job, count(*) AS rows FROM customer_trusted
UNION ALL SELECT 'accelerometer_trusted', count(*) FROM accelerometer_trusted
UNION ALL SELECT 'customers_curated', count(*) FROM customers_curated
UNION ALL SELECT 'step_trainer_trusted', count(*) FROM step_trainer_trusted
UNION ALL SELECT 'machine_learning_curated', count(*) FROM machine_learning_curated;
