"""Scenario mapped: dynamically mapped Airflow tasks (.expand), map index 2 fails."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

from _compat import DAG, dag_kwargs, task


@task
def numbers():
    return [0, 1, 2, 3]


@task
def square(n):
    if n == 2:
        raise ValueError(f"{n} is not welcome here")
    return n * n


with DAG(**dag_kwargs("mapped")):
    square.expand(n=numbers())
