"""Names the scenario DAGs import, wherever the running Airflow (2.10 or 3.x) keeps them, and the
arguments every scenario DAG shares. Not a DAG file (.airflowignore hides it from parsing)."""

import json
import os
from datetime import datetime, timedelta, timezone

import airflow

try:  # 3.x: the Task SDK
    from airflow.sdk import DAG, BaseOperator, TaskGroup, task
except ImportError:  # 2.10
    from airflow import DAG
    from airflow.decorators import task
    from airflow.models.baseoperator import BaseOperator
    from airflow.utils.task_group import TaskGroup

try:  # 3.x: the standard provider
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.providers.standard.operators.python import BranchPythonOperator, PythonOperator
    from airflow.providers.standard.triggers.temporal import TimeDeltaTrigger
except ImportError:  # 2.10
    from airflow.operators.bash import BashOperator
    from airflow.operators.empty import EmptyOperator
    from airflow.operators.python import BranchPythonOperator, PythonOperator
    from airflow.triggers.temporal import TimeDeltaTrigger

__all__ = [
    "DAG", "BaseOperator", "BashOperator", "TaskGroup", "task", "EmptyOperator", "BranchPythonOperator",
    "PythonOperator", "TimeDeltaTrigger", "AIRFLOW_MAJOR", "AIRFLOW_VERSION", "dag_kwargs", "timedelta",
]

AIRFLOW_VERSION = tuple(int(x) for x in airflow.__version__.split(".")[:2])
AIRFLOW_MAJOR = AIRFLOW_VERSION[0]

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios.json"), encoding="utf-8") as f:
    _SCENARIOS = {s["dag_id"]: s for s in json.load(f)["scenarios"]}


def dag_kwargs(dag_id, **default_args):
    """DAG(...) arguments: manual runs only, a fixed start date, and the executor the manifest
    names for this scenario when the capture runs one (AIRLOG_CAPTURE_EXECUTORS lists them)."""
    default_args.setdefault("retries", 0)
    executor = _SCENARIOS[dag_id].get("executor")
    if executor and executor in os.environ.get("AIRLOG_CAPTURE_EXECUTORS", "").split(","):
        default_args["executor"] = executor
    return dict(
        dag_id=dag_id,
        schedule=None,
        start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
        catchup=False,
        tags=["airlog-capture"],
        default_args=default_args,
    )
