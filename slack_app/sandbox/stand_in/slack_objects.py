"""The user, channel and message objects the stand-in's answers carry, shaped
like Slack's (only the fields apps commonly read, with plausible values)."""

from __future__ import annotations

from .models import Channel, JsonDict, Message, User


def user_object(user: User, team_id: str) -> JsonDict:
    """The ``user`` of ``users.info``."""
    return {
        "id": user.id,
        "team_id": team_id,
        "name": user.name,
        "real_name": user.real_name,
        "deleted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "is_admin": False,
        "is_owner": False,
        "tz": "Etc/UTC",
        "tz_label": "Coordinated Universal Time",
        "tz_offset": 0,
        "profile": {
            "display_name": user.name,
            "display_name_normalized": user.name,
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "team": team_id,
        },
    }


def channel_object(channel: Channel, *, bot_user_id: str, num_members: bool = False) -> JsonDict:
    """The ``channel`` of ``conversations.info``; a DM has Slack's much shorter shape."""
    info = _dm_object(channel) if channel.is_im else _conversation_object(channel, bot_user_id)
    if num_members:
        info["num_members"] = len(channel.members)
    return info


def _dm_object(channel: Channel) -> JsonDict:
    return {
        "id": channel.id,
        "created": channel.created,
        "is_im": True,
        "is_org_shared": False,
        "user": channel.user,
        "is_user_deleted": False,
        "priority": 0,
    }


def _conversation_object(channel: Channel, bot_user_id: str) -> JsonDict:
    return {
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "is_channel": not channel.is_private,
        "is_group": channel.is_private,
        "is_im": False,
        "is_mpim": False,
        "is_private": channel.is_private,
        "is_archived": channel.is_archived,
        "is_general": False,
        "is_shared": False,
        "is_org_shared": False,
        "is_member": bot_user_id in channel.members,
        "created": channel.created,
        "creator": "",
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
    }


def bot_message_object(message: Message, *, team_id: str, app_id: str, bot_id: str) -> JsonDict:
    """A message the bot posted, as ``chat.postMessage`` / ``chat.update`` echo it back."""
    body = message.to_dict()
    body.update(
        team=team_id,
        app_id=app_id,
        bot_profile={"id": bot_id, "app_id": app_id, "name": "Speak Out", "team_id": team_id},
    )
    return body
