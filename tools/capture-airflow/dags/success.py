"""Scenario success: two Airflow tasks that log and print, then succeed."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

import logging

from _compat import DAG, PythonOperator, dag_kwargs


def say_hello():
    logging.getLogger(__name__).info("hello from the success scenario")
    print("a line on stdout")
    return 42


with DAG(**dag_kwargs("success")):
    PythonOperator(task_id="hello", python_callable=say_hello) >> PythonOperator(
        task_id="world", python_callable=say_hello
    )
