"""The scheduler's stored job references resolve for this release and the previous one, so
a rolling upgrade never leaves a leader that cannot run the job another process stored."""

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.util import ref_to_obj
from sqlalchemy import Engine

from slack_app.runtime import jobs
from slack_app.sandbox.loopback import LocalSpeakOut
from tests.conftest import TEST_ENCRYPTION_KEY


def test_the_stored_jobs_name_the_path_both_releases_resolve(database_url: str, clean_db: Engine):
    with LocalSpeakOut(database_url, scheduler=True, env={"ENCRYPTION_KEY": TEST_ENCRYPTION_KEY}) as local:
        stored = {job.id: job for job in SQLAlchemyJobStore(engine=local.services.engine).get_all_jobs()}

    assert {job_id: job.func_ref for job_id, job in stored.items()} == {
        "dispatch-reminders": "slack_app.jobs:dispatch_reminders",
        "purge-expired": "slack_app.jobs:purge_expired",
    }
    # Reconstituted from the store, they are the jobs this release runs.
    assert stored["dispatch-reminders"].func is jobs.dispatch_reminders
    assert stored["purge-expired"].func is jobs.purge_expired


def test_the_new_path_resolves_too_for_the_release_after():
    assert ref_to_obj("slack_app.runtime.jobs:dispatch_reminders") is jobs.dispatch_reminders
    assert ref_to_obj("slack_app.runtime.jobs:purge_expired") is jobs.purge_expired
