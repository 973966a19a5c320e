"""Scenario zombie: the process that supervises an Airflow task stops heartbeating, so the
scheduler finds the task instance without a heartbeat (a "zombie")."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

import signal
import time

from _compat import AIRFLOW_MAJOR, DAG, PythonOperator, dag_kwargs


def kill_supervisor():
    parent = os.getppid()
    if AIRFLOW_MAJOR >= 3:
        # The supervisor is the LocalExecutor's worker process: nobody reports its death, so only
        # the missing heartbeat tells the scheduler.
        print(f"SIGKILL to my supervisor {parent}, then to myself")
        os.kill(parent, signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)
    # 2.x: the executor waits for the LocalTaskJob and reports its death at once (no zombie), so
    # freeze it instead: no heartbeat until the scheduler has declared the zombie, then thaw it.
    print(f"SIGSTOP to my LocalTaskJob {parent}")
    os.kill(parent, signal.SIGSTOP)
    time.sleep(int(os.environ.get("AIRLOG_CAPTURE_ZOMBIE_SLEEP", "60")))
    try:
        os.kill(parent, signal.SIGCONT)
    except ProcessLookupError:  # 2.10 reaps it once the zombie is failed; go the same way
        print("my LocalTaskJob is gone; SIGKILL to myself")
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(60)


with DAG(**dag_kwargs("zombie")):
    PythonOperator(task_id="kill_supervisor", python_callable=kill_supervisor)
