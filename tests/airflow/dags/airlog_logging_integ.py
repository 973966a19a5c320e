"""The DAG `make test-airflow` runs: a task that logs and prints, a mapped task, and a task that
raises a chained exception with a non-ASCII message. Airflow 2.10 and 3.x alike."""

import logging
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2
    from airflow.decorators import dag, task

log = logging.getLogger(__name__)


@dag(dag_id="airlog_logging_integ", schedule=None, start_date=datetime(2024, 1, 1), catchup=False)
def airlog_logging_integ():
    @task(retries=0)
    def say_hello():
        log.info("hello from the task logger")
        print("hello from print")

    @task(retries=0)
    def square(x):
        log.info("squaring %d", x)
        return x * x

    @task(retries=0)
    def fail_chained():
        try:
            {}["missing"]
        except KeyError as err:
            raise RuntimeError("données introuvables — ошибка") from err

    say_hello() >> square.expand(x=[1, 2]) >> fail_chained()


airlog_logging_integ()
