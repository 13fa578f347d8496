"""The bodies Slack sends to an app, one module per kind of request: slash
commands, shortcuts, block actions, view submissions and Events API events.

Builders take the ``SlackStandIn`` they draw trigger ids, ``response_url``s,
names and view state from, and return the body; ``SlackRequests`` sends it.
"""
