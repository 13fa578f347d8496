"""The Web API methods the stand-in answers, one module per method family.

Each method takes the decoded request parameters and returns the ``ok``
answer, or raises ``ApiError`` for Slack's ``{"ok": false}`` answers.
``web_api_methods`` is the one list of every method served.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from ..models import JsonDict
from ..socket_mode import SocketModeServer
from ..view_store import ViewStore
from ..workspace import Workspace
from . import apps, chat, conversations, users, views

Method = Callable[[Mapping[str, Any]], JsonDict]


APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
"""Methods that take the app-level token (``xapp-``); every other one takes the bot token."""


def web_api_methods(workspace: Workspace, view_store: ViewStore, socket_mode: SocketModeServer) -> dict[str, Method]:
    """Every served method by its Slack name, bound to the stores it acts on."""
    return {
        "apps.connections.open": partial(apps.open_connection, socket_mode),
        "auth.test": partial(users.check_auth, workspace),
        "chat.postMessage": partial(chat.post_message, workspace),
        "chat.update": partial(chat.update_message, workspace),
        "chat.delete": partial(chat.delete_message, workspace),
        "chat.postEphemeral": partial(chat.post_ephemeral, workspace),
        "chat.getPermalink": partial(chat.get_permalink, workspace),
        "conversations.open": partial(conversations.open_conversation, workspace),
        "conversations.members": partial(conversations.list_members, workspace),
        "conversations.info": partial(conversations.describe_conversation, workspace),
        "conversations.kick": partial(conversations.kick_member, workspace),
        "conversations.history": partial(conversations.read_history, workspace),
        "conversations.replies": partial(conversations.read_replies, workspace),
        "users.info": partial(users.describe_user, workspace),
        "views.open": partial(views.open_view, view_store),
        "views.push": partial(views.push_view, view_store),
        "views.update": partial(views.update_view, view_store),
        "views.publish": partial(views.publish_home, view_store),
    }
