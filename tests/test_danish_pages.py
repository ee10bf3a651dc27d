"""No English on a Danish page: every page each role sees, rendered in Danish, shows none of our English strings.

The English strings are the project's own msgids (locale/da/LC_MESSAGES/django.po) whose Danish differs: a page
in Danish that shows one of them verbatim shows an untranslated string (a missing {% translate %}, a gettext at
import time, a string built in code). Swagger UI's own buttons (/api/docs/) are a third-party app's and stay
English; the page is not checked here.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import timezone

from access.roles import ROLES

PO = Path(settings.BASE_DIR) / "locale" / "da" / "LC_MESSAGES" / "django.po"
DA = {"HTTP_ACCEPT_LANGUAGE": "da"}
# Words the same in both languages, or names and codes: never a sign of a missing translation.
SAME_IN_BOTH = {"CVR", "CO2e", "GeoJSON", "CSV", "QGIS", "OK", "Excel", "GeoPackage", "API", "MW", "km", "Status"}
# Django's own English that a project setting replaces.
DJANGO_ENGLISH = ["Django administration", "Django site admin"]
PAGES = ["/", "/progress/rows/measures/", "/progress/rows/partnerships/", "/progress/rows/realised/"]
PAGES += ["/progress/rows/international/", "/progress/rows/funding/", "/map/", "/heat/opportunities/", "/imports/"]
PAGES += ["/admin/"]
DATA_APPS = {"registry", "partnerships", "imports", "gis", "auth"}


def po_entries(path=PO) -> list[dict]:
    """The catalogue's entries: msgid, msgstr (plural forms joined), and whether it is fuzzy."""
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry and entry.get("msgid") is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry or {"fuzzy": False, "msgstr": []}
        if line.startswith("#,") and "fuzzy" in line:
            entry["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif m := re.match(r'(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line):
            field = m.group(1)
            if field.startswith("msgstr"):
                entry["msgstr"].append(m.group(2))
            else:
                entry[field] = m.group(2)
        elif line.startswith('"') and field:
            if field.startswith("msgstr"):
                entry["msgstr"][-1] += line[1:-1]
            else:
                entry[field] += line[1:-1]
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def english_phrases() -> set[str]:
    """Literal parts (2+ words) of every msgid translated differently, minus those the Danish also uses."""
    entries = po_entries()
    danish = " ".join(_unescape(s) for e in entries for s in e["msgstr"])
    phrases = set(DJANGO_ENGLISH)
    for entry in entries:
        msgid = _unescape(entry["msgid"])
        if [_unescape(s) for s in entry["msgstr"]] == [msgid]:
            continue
        for part in re.split(r"%\(\w+\)[sd]|%[sd]|<[^>]+>|[:;.,()«»“”\"·—–]", msgid):
            part = " ".join(part.split())
            words = [w for w in part.split() if w not in SAME_IN_BOTH]
            if len(words) >= 2 and part not in danish:
                phrases.add(part)
    return phrases


class VisibleText(HTMLParser):
    """What a reader sees: text outside script and style, the labels in attributes, and the charts' JSON."""

    ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self):
        super().__init__()
        self.parts, self.skip, self.json = [], 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
            self.json = attrs.get("type") == "application/json"
        self.parts += [v for k, v in attrs.items() if k in self.ATTRIBUTES and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip, self.json = max(0, self.skip - 1), False

    def handle_data(self, data):
        if self.json:
            self.parts += list(_strings(json.loads(data)))
        elif not self.skip:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def english_on(text: str, phrases) -> list[str]:
    return sorted(p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text))


def data_values() -> list[str]:
    """The records' own words (names, titles, descriptions: data, in whatever language they were entered)."""
    values = set()
    for model in apps.get_models():
        if model._meta.app_label not in DATA_APPS:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        for row in model.objects.values_list(*fields) if fields else []:
            values.update(" ".join(v.split()) for v in row if v and len(v) > 3)
    return sorted(values, key=len, reverse=True)


def without(text: str, values) -> str:
    for value in values:
        text = text.replace(value, " ¦ ")
    return text


def admin_pages(user) -> list[str]:
    pages = []
    for model in admin.site._registry:
        opts = model._meta
        if user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        if user.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    return pages


def test_the_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = po_entries()
    assert entries, PO
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if e["fuzzy"]]
    assert (untranslated, fuzzy) == ([], [])


def test_the_check_finds_english_in_a_page():
    text = VisibleText.of('<p>Tal pr. 3. december 2026</p><p title="Straight path to the target">x</p>')
    assert english_on(text, english_phrases()) == ["Straight path to the target"]
    assert english_on(VisibleText.of("<script>var a = 'Straight path to the target'</script>"), {"Straight path"}) == []


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_sees_in_danish_has_no_english(client_for, role_users, demo_db, role):
    client = client_for(role)
    phrases, data = english_phrases(), data_values()
    pages = [*PAGES, f"/?as_of={timezone.localdate().isoformat()}", *admin_pages(role_users[role])]
    found, seen = {}, 0
    for url in pages:
        response = client.get(url, **DA)
        if not response["Content-Type"].startswith("text/html") or response.status_code in (301, 302):
            continue
        seen += 1
        page = response.content.decode()
        assert response.status_code != 200 or '<html lang="da"' in page, url
        if english := english_on(without(VisibleText.of(page), data), phrases):
            found[url] = english
    assert seen >= len(PAGES) - 3
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
