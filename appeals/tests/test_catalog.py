"""The Simplified Chinese catalogue: every message translated, none fuzzy, and Chinese written with
full-width punctuation (退款后，… not 退款后,…), placeholders left as they are."""

import re
from pathlib import Path

from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CJK = "[\u4e00-\u9fff]"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|%[sd]")
HALF_WIDTH_BY_CJK = re.compile(rf"{CJK}\s*[,:;?!()]|[,:;?!()]\s*{CJK}")


def entries():
    """(flags, msgid, msgstr) of each entry: a small reader for the file makemessages writes."""
    text = CATALOG.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:  # the first block is the header
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        fields, current = {}, None
        for line in block.splitlines():
            if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[0] ")):
                current, _space, rest = line.partition(" ")
                fields[current] = rest[1:-1]
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if "msgid" in fields and not block.lstrip().startswith("#~"):
            yield flags, fields["msgid"], fields.get("msgstr", fields.get("msgstr[0]", ""))


def test_every_message_is_translated_and_none_is_fuzzy():
    todo = [msgid for flags, msgid, msgstr in entries() if not msgstr or "fuzzy" in flags]
    assert todo == []
    assert len(list(entries())) > 300


def test_chinese_text_uses_full_width_punctuation():
    wrong = [msgstr for _flags, _msgid, msgstr in entries() if HALF_WIDTH_BY_CJK.search(PLACEHOLDER.sub("", msgstr))]
    assert wrong == []
