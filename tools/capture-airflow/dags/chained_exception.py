"""Scenario chained_exception: an Airflow task raises RuntimeError from a KeyError, with a
non-ASCII message."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

from _compat import DAG, PythonOperator, dag_kwargs


def lookup():
    try:
        return {}["clé"]
    except KeyError as e:
        raise RuntimeError("données introuvables — ошибка") from e


with DAG(**dag_kwargs("chained_exception")):
    PythonOperator(task_id="lookup", python_callable=lookup)
