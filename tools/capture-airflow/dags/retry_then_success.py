"""Scenario retry_then_success: an Airflow task fails its first try and succeeds on the second."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

from _compat import DAG, PythonOperator, dag_kwargs, timedelta


def flaky(ti):
    if ti.try_number < 2:
        raise ValueError(f"try {ti.try_number} fails on purpose")
    print(f"try {ti.try_number} succeeds")


with DAG(**dag_kwargs("retry_then_success", retries=1, retry_delay=timedelta(seconds=3))):
    PythonOperator(task_id="flaky", python_callable=flaky)
