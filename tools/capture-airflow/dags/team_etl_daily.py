"""Scenario team.etl.daily: an Airflow dag_id with dots."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

from _compat import DAG, PythonOperator, dag_kwargs


def step(name):
    print(f"{name} done")


with DAG(**dag_kwargs("team.etl.daily")):
    extract = PythonOperator(task_id="extract", python_callable=step, op_args=["extract"])
    transform = PythonOperator(task_id="transform", python_callable=step, op_args=["transform"])
    load = PythonOperator(task_id="load", python_callable=step, op_args=["load"])
    extract >> transform >> load
