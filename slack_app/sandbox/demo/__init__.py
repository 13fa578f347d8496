"""``speakout demo``: the real app on loopback, against the stand-in for Slack, played through.

Nothing leaves this machine and no Slack workspace is needed. Each step prints what each
person would see in Slack, as text.

* ``run``: starts everything and plays the story in order.
* ``stage``: the people, how a step is printed, and waiting for the app.
* ``intake``, ``case_work``, ``own_up``: the story's steps, by workflow.
"""

from .run import run_demo

__all__ = ["run_demo"]
