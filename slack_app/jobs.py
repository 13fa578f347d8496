"""The scheduler's jobs under the name the job store knows them by ("slack_app.jobs:...").

They live in ``slack_app.runtime.jobs``. This release still stores this name, so that a
process of the previous release that leads during a rolling upgrade can run what this one
stored (see ``slack_app.runtime.scheduler.STORED_JOB_MODULE``). Remove it in the release after
this one, which stores the new name.
"""

from slack_app.runtime.jobs import dispatch_reminders, purge_expired

__all__ = ["dispatch_reminders", "purge_expired"]
