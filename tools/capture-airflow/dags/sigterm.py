"""Scenario sigterm: SIGTERM reaches an Airflow task while it runs, as when its pod or worker is
stopped. 2.x: the task process itself gets it (its handler raises AirflowTaskTerminated). 3.x: the
task's supervisor gets it and forwards it to the task process, whose on_kill stops the bash
child, so the task fails (a 3.x task process survives a SIGTERM on its own; only on_kill runs)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

from _compat import AIRFLOW_MAJOR, DAG, BashOperator, dag_kwargs

# bash's parent is the task process; its parent the 3.x supervisor.
TARGET = "$(awk '/^PPid:/ {print $2}' /proc/$PPID/status)" if AIRFLOW_MAJOR >= 3 else "$PPID"

with DAG(**dag_kwargs("sigterm")):
    BashOperator(task_id="terminate_me",
                 bash_command=f'echo "sending SIGTERM to {TARGET}"; kill -TERM {TARGET}; sleep 60')
