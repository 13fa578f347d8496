"""``views.*``: opening, pushing and updating modals, publishing Home tabs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import ApiError, JsonDict
from ..params import param
from ..view_store import ViewStore


def open_view(views: ViewStore, params: Mapping[str, Any]) -> JsonDict:
    view = views.check(params.get("view"), "modal")
    user_id = views.triggers.exchange(params)
    return {"ok": True, "view": views.open_stack(user_id, view)}


def push_view(views: ViewStore, params: Mapping[str, Any]) -> JsonDict:
    view = views.check(params.get("view"), "modal")
    user_id = views.triggers.exchange(params)
    return {"ok": True, "view": views.push(user_id, view)}


def update_view(views: ViewStore, params: Mapping[str, Any]) -> JsonDict:
    view_id = views.find(params)
    given_hash = param(params, "hash")
    if given_hash is not None and given_hash != views.hash_of(view_id):
        raise ApiError("hash_conflict")
    view = views.check(params.get("view"), views.type_of(view_id), replacing=view_id)
    return {"ok": True, "view": views.store(views.owner_of(view_id), view, view_id=view_id)}


def publish_home(views: ViewStore, params: Mapping[str, Any]) -> JsonDict:
    user_id = param(params, "user_id")
    if user_id is None or not views.user_exists(user_id):
        raise ApiError("user_not_found")
    view_id = views.home_id(user_id)
    given_hash = param(params, "hash")
    if view_id is not None and given_hash is not None and given_hash != views.hash_of(view_id):
        raise ApiError("hash_conflict")
    view = views.check(params.get("view"), "home", replacing=view_id)
    return {"ok": True, "view": views.publish_home(user_id, view)}
