"""Scenario on_failure_callback: an Airflow task fails and its on_failure_callback logs."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

import logging

from _compat import DAG, PythonOperator, dag_kwargs


def report(context):
    ti = context["ti"]
    logging.getLogger(__name__).error("on_failure_callback: %s try %s failed", ti.task_id, ti.try_number)


def fail():
    raise ValueError("failing so that the callback runs")


with DAG(**dag_kwargs("on_failure_callback")):
    PythonOperator(task_id="fail", python_callable=fail, on_failure_callback=report)
