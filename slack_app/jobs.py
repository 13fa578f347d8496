"""Where the scheduler's jobs lived before 0.2: the job store of a running deployment still
names "slack_app.jobs:dispatch_reminders" until the new release replaces it at start-up, and a
process of the previous release may read the new names meanwhile. Kept for one release so both
resolve during a rolling upgrade; remove in 0.3."""

from slack_app.runtime.jobs import dispatch_reminders, purge_expired

__all__ = ["dispatch_reminders", "purge_expired"]
