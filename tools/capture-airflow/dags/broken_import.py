"""Scenario broken_import: an Airflow DAG file that does not parse (SyntaxError)."""
from _compat import DAG, dag_kwargs

with DAG(**dag_kwargs("broken_import")) as dag:
    def broken(:
        pass
