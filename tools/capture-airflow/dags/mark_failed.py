"""Scenario mark_failed: the capture marks this Airflow DAG run failed through the REST API while
its task runs, so the task is told to stop (SIGTERM) and the downstream task never runs."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

import time

from _compat import DAG, PythonOperator, dag_kwargs


def long_running():
    print("running until the run is marked failed")
    time.sleep(180)


with DAG(**dag_kwargs("mark_failed")):
    PythonOperator(task_id="long_running", python_callable=long_running) >> PythonOperator(
        task_id="never_runs", python_callable=long_running
    )
