"""People's words in and out of Slack's mrkdwn, so they can never ping, link or reformat.

Going out, ``escape`` turns what someone wrote into mrkdwn that shows exactly those
characters: Slack reads ``<…>`` as a mention (``<@U…>``), a ping (``<!channel>``) or a link
(``<https://…|label>``), so ``&``, ``<`` and ``>`` become entities, as Slack's docs ask. A
run of three backticks would open a code block that swallows the app's own text after it,
so it is broken with an invisible space.

Coming in, text from Slack's messages and commands is already mrkdwn (``&lt;`` for ``<``,
mentions as ``<@U…>``): ``from_slack`` gives back what the person saw when they typed it,
with mentions and links as plain words, so the domain keeps people's words in one form.
"""

import re

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_FENCE = re.compile(r"`(?=``)")
ZERO_WIDTH_SPACE = "\u200b"
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")

# <@U123|name>, <#C123|name>, <!here>, <!subteam^S1|@team>, <!date^…|fallback>, <https://…|label>
_TOKEN = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_SPECIAL = {"channel": "@channel", "here": "@here", "everyone": "@everyone"}


def escape(text: str) -> str:
    """``text`` as mrkdwn that shows exactly these characters."""
    return _FENCE.sub("`" + ZERO_WIDTH_SPACE, text.translate(_ESCAPES))


def inline(text: str) -> str:
    """``escape``, on one line: words from a one-line field can't start a line of their own
    (which could pass for one of the app's)."""
    return escape(_LINE_BREAKS.sub(" ", text))


def from_slack(text: str) -> str:
    """Slack-formatted message text as the plain words the person typed."""
    words = _TOKEN.sub(_as_words, text)
    # Slack encodes just these three; anything else that looks like an entity was typed so.
    return words.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _as_words(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        name = target[1:].split("^", 1)[0]
        return label or _SPECIAL.get(name, "@" + name)
    # A link: its words and where it really goes, side by side.
    return f"{label} ({target})" if label and label != target else target
