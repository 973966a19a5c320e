"""Scenario broken_module: an Airflow DAG file whose import fails (ModuleNotFoundError)."""
import airlog_capture_no_such_module  # noqa: F401

from _compat import DAG, dag_kwargs

with DAG(**dag_kwargs("broken_module")) as dag:
    pass
