"""Scenario execution_timeout: an Airflow task outlives its execution_timeout (AirflowTaskTimeout)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

import time

from _compat import DAG, PythonOperator, dag_kwargs, timedelta


def too_slow():
    print("sleeping past the 3 s timeout")
    time.sleep(60)


with DAG(**dag_kwargs("execution_timeout")):
    PythonOperator(task_id="too_slow", python_callable=too_slow, execution_timeout=timedelta(seconds=3))
