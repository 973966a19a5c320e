"""Scenario retries_exhausted: an Airflow task fails every try until its retries run out."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

from _compat import DAG, PythonOperator, dag_kwargs, timedelta


def always_fails(ti):
    raise ValueError(f"try {ti.try_number} fails too")


with DAG(**dag_kwargs("retries_exhausted", retries=1, retry_delay=timedelta(seconds=3))):
    PythonOperator(task_id="always_fails", python_callable=always_fails)
