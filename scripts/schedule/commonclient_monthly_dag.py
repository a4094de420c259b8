"""Airflow DAG: the commonclient monthly pipeline (ingest -> link -> metrics) with spark-submit.

Needs apache-airflow-providers-apache-spark and a Spark connection (default ``spark_default``)
whose host is the cluster master (yarn, spark://host:7077 or k8s://https://...). The job jar and
config are deployed beside Airflow under CC_HOME (or on shared storage).

Exit codes of the commonclient command (see README "Scheduling"): 0 ok; 1 failure; 2 bad
configuration or bad input; 3 refused by a data-use agreement; 4 another run holds the pipeline
lock (nothing was done). SparkSubmitOperator fails the task on any non-zero code; the retries
below are meant for 1 and 4 (for 2 and 3 they fail again, harmlessly: a rerun on the same inputs
gives the same tables). max_active_runs=1 keeps Airflow from overlapping runs; the lock file
under the storage root also refuses runs started outside Airflow.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

CC_HOME = os.environ.get("CC_HOME", "/opt/commonclient")
JOB_JAR = f"{CC_HOME}/jobs/target/commonclient-jobs.jar"
CONFIG = f"{CC_HOME}/conf/prod.conf"  # self-contained (no includes) when shipped in cluster mode

default_args = {
    "owner": "data-team",
    "retries": 2,
    "retry_delay": timedelta(minutes=30),  # also covers exit code 4 (lock held by another run)
    "email_on_failure": True,
    "email": ["data-team@agency.example"],
}

with DAG(
    dag_id="commonclient_monthly",
    description="Link agencies' records and publish common-client metrics",
    schedule="30 2 3 * *",  # 02:30 on the 3rd of every month
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["commonclient"],
) as dag:
    pipeline = SparkSubmitOperator(
        task_id="pipeline",
        conn_id="spark_default",
        application=JOB_JAR,
        java_class="org.commonclient.jobs.CommonClient",
        application_args=["pipeline", "--config", "prod.conf"],
        files=CONFIG,  # shipped to the driver's working directory
        packages="io.delta:delta-spark_4.1_2.13:4.4.0",  # drop if the cluster ships Delta
        deploy_mode="cluster",
        driver_memory="4g",
        executor_memory="8g",
        num_executors=10,
        executor_cores=2,
        name="commonclient-monthly-{{ ds }}",
        conf={
            "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
            "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
            "spark.yarn.maxAppAttempts": "1",  # a second attempt would meet the first one's lock
        },
        execution_timeout=timedelta(hours=8),
    )
