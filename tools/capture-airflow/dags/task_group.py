"""Scenario task_group: Airflow task groups, so task_ids are dotted (group.inner, group.sub.leaf)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

from _compat import DAG, EmptyOperator, PythonOperator, TaskGroup, dag_kwargs


def work():
    print("working inside a task group")


with DAG(**dag_kwargs("task_group")):
    start = EmptyOperator(task_id="start")
    with TaskGroup("group") as group:
        inner = PythonOperator(task_id="inner", python_callable=work)
        with TaskGroup("sub"):
            leaf = PythonOperator(task_id="leaf", python_callable=work)
        inner >> leaf
    start >> group >> PythonOperator(task_id="end", python_callable=work)
