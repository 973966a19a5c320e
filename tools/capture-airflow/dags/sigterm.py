"""Scenario sigterm: SIGTERM reaches an Airflow task process while it runs (its bash child sends
it). 2.x: the task's handler raises AirflowTaskTerminated. 3.x: the handler only calls on_kill,
which here stops the bash child, so the task fails with "Bash command failed" (a 3.x task process
outlives a SIGTERM on its own). From 3.3 the supervisor forwards a SIGTERM it gets to the task
process, so there the signal goes to the supervisor, as a stopped pod's would."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

from _compat import AIRFLOW_VERSION, DAG, BashOperator, dag_kwargs

# bash's parent is the task process, whose parent is the 3.x supervisor.
TARGET = "$(awk '/^PPid:/ {print $2}' /proc/$PPID/status)" if AIRFLOW_VERSION >= (3, 3) else "$PPID"

with DAG(**dag_kwargs("sigterm")):
    # The pause lets the operator record its child first (its on_kill has nothing to stop before).
    BashOperator(task_id="terminate_me",
                 bash_command=f'echo "SIGTERM to {TARGET} in 2 s"; sleep 2; kill -TERM {TARGET}; sleep 60')
