"""Scenario deferrable: an Airflow task defers to a trigger that the triggerer runs, then resumes."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # airflow puts the dags folder there too; not every version for every process

from _compat import DAG, BaseOperator, TimeDeltaTrigger, dag_kwargs, timedelta


class WaitInTriggerer(BaseOperator):
    def execute(self, context):
        self.log.info("deferring for 5 s")
        self.defer(trigger=TimeDeltaTrigger(timedelta(seconds=5)), method_name="resume")

    def resume(self, context, event=None):
        self.log.info("resumed after the trigger fired: %s", event)


with DAG(**dag_kwargs("deferrable")):
    WaitInTriggerer(task_id="wait")
