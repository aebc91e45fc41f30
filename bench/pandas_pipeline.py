#!/usr/bin/python3
"""pandas baseline of the stedi pipeline, for bench/run.sh.

Usage: pandas_pipeline.py DATA OUT

Reads the JSON-lines files under DATA/{customer,accelerometer,step_trainer}/
landing (as written by stedi generate), runs the five jobs with pandas and
writes each job's output to OUT as zstd Parquet when pyarrow or fastparquet
is installed. Debian 12 packages neither, so without them the outputs are
not written and a note on stderr reports it. Prints "job<TAB>rows" lines on
stdout, the same as baseline_pipeline.sql.
"""

import glob
import importlib.util
import os
import sys
import time

import pandas as pd


def read_source(data, source):
    """Concatenates every landing file of one source."""
    paths = sorted(glob.glob(os.path.join(data, source, "landing", "*.json")))
    if not paths:
        sys.exit(f"pandas_pipeline: error: no files in {data}/{source}/landing")
    # convert_dates=False: otherwise read_json turns a column named timestamp
    # into datetimes, and the join with the integer sensorReadingTime fails.
    frames = [pd.read_json(path, lines=True, convert_dates=False) for path in paths]
    return pd.concat(frames, ignore_index=True)


def run_jobs(customer, accelerometer, step_trainer):
    """Returns the five job outputs by name, in dependency order."""
    customer_trusted = customer[customer["shareWithResearchAsOfDate"].notna()]
    accelerometer_trusted = accelerometer[accelerometer["user"].isin(customer_trusted["email"])]
    customers_curated = customer_trusted[
        customer_trusted["email"].isin(accelerometer_trusted["user"].unique())]
    step_trainer_trusted = step_trainer[
        step_trainer["serialNumber"].isin(customers_curated["serialNumber"])]
    machine_learning_curated = (
        step_trainer_trusted
        .merge(customers_curated[["serialNumber", "email"]], on="serialNumber")
        .merge(accelerometer_trusted, left_on=["email", "sensorReadingTime"],
               right_on=["user", "timestamp"])
        [["sensorReadingTime", "serialNumber", "distanceFromObject", "x", "y", "z"]])
    return {
        "customer_trusted": customer_trusted,
        "accelerometer_trusted": accelerometer_trusted,
        "customers_curated": customers_curated,
        "step_trainer_trusted": step_trainer_trusted,
        "machine_learning_curated": machine_learning_curated,
    }


def parquet_engine():
    for engine in ("pyarrow", "fastparquet"):
        if importlib.util.find_spec(engine) is not None:
            return engine
    return None


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: pandas_pipeline.py DATA OUT")
    data, out = argv[1], argv[2]
    start = time.monotonic()
    customer = read_source(data, "customer")
    accelerometer = read_source(data, "accelerometer")
    step_trainer = read_source(data, "step_trainer")
    read_seconds = time.monotonic() - start

    jobs = run_jobs(customer, accelerometer, step_trainer)
    engine = parquet_engine()
    if engine is None:
        print("pandas_pipeline: note: no Parquet engine (pyarrow or fastparquet); "
              "outputs are not written", file=sys.stderr)
    else:
        os.makedirs(out, exist_ok=True)
        for name, frame in jobs.items():
            frame.to_parquet(os.path.join(out, name + ".parquet"), engine=engine,
                             compression="zstd", index=False)
    print(f"{read_seconds:8.3f} s  read JSON", file=sys.stderr)
    print(f"{time.monotonic() - start:8.3f} s  total", file=sys.stderr)

    print("job\trows")
    for name, frame in jobs.items():
        print(f"{name}\t{len(frame)}")


if __name__ == "__main__":
    main(sys.argv)
