"""Who is in a channel, straight from Slack's Web API."""

from slack_sdk import WebClient


def channel_members(client: WebClient, channel_id: str) -> frozenset[str]:
    members: set[str] = set()
    cursor = None
    while True:
        response = client.conversations_members(channel=channel_id, cursor=cursor, limit=200)
        members.update(response.get("members") or [])
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return frozenset(members)
