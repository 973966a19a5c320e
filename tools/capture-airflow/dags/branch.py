"""Scenario branch: an Airflow BranchPythonOperator picks one branch; the other is skipped."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

from _compat import DAG, BranchPythonOperator, EmptyOperator, PythonOperator, dag_kwargs


def pick():
    return "chosen"


def work():
    print("on the chosen branch")


with DAG(**dag_kwargs("branch")):
    choose = BranchPythonOperator(task_id="choose", python_callable=pick)
    chosen = PythonOperator(task_id="chosen", python_callable=work)
    skipped = EmptyOperator(task_id="skipped")
    choose >> [chosen, skipped]
    skipped >> EmptyOperator(task_id="after_skipped")
