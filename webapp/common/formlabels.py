"""The words of a flow version's data: field titles, choice titles and value kinds from all of
its forms (and its variables.json, which names what no form holds), and the instance data as
rows of the data panel. Values read through webapp.common.values (¥ amounts, local times,
durations), linked ids through webapp.common.links (as the user may see them), keys no form
names through webapp.common.glossary.

Form titles are the flow's own words (Chinese, written by the analyst).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from engine import formstore
from engine.models import ProcessFile, ProcessVersion
from forms.schema import choices, display, ordered_names, properties, resolve
from webapp import privacy

from . import glossary, links, values
from .values import compact, cut

# Keys the engine writes itself, with their labels.
ENGINE_KEYS = {"business_key": gettext_lazy("Business key")}


@dataclass
class FormLabels:
    """Field titles and choice titles from all the forms of one deployed version, and which of
    its fields hold personal data (privacy.personal_fields)."""

    titles: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, str]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    start_order: list[str] = field(default_factory=list)
    personal: dict[str, str] = field(default_factory=dict)
    # (schema root, resolved node) of each field, for its kind (money, date …), link and parts
    nodes: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    parent: FormLabels | None = None  # the labels of the value holding these parts
    user: Any = None  # whose permissions resolve linked ids (webapp.common.links); None: none are
    _links: dict[tuple[str, str], links.Link | None] = field(default_factory=dict, repr=False)

    @classmethod
    def for_version(cls, version: ProcessVersion) -> FormLabels:
        labels = cls()
        names = list(
            ProcessFile.objects.filter(version_id=version.pk, name__endswith=".json")
            .order_by("name")
            .values_list("name", flat=True)
        )
        if version.start_form in names:  # the start form's words win
            names.remove(version.start_form)
            names.insert(0, version.start_form)
        for name in names:
            schema = formstore.form(version.pk, name)
            if not isinstance(schema, dict) or not properties(schema):
                continue  # a UI schema, or not a form
            ui = formstore.form(version.pk, version.start_ui_form) if name == version.start_form else {}
            ordered = ordered_names(schema, ui if isinstance(ui, dict) else {})
            if name == version.start_form:
                labels.start_order = ordered
            labels.add(schema, ordered)
        return labels

    def add(self, schema: dict[str, Any], ordered: list[str]) -> None:
        props = properties(schema)
        self.personal.update(privacy.personal_fields(schema))
        for key in ordered:
            node = resolve(schema, props[key])
            title = node.get("title")
            if key not in self.titles and isinstance(title, str) and title:
                self.titles[key] = title
            if key not in self.order:
                self.order.append(key)
            self.nodes.setdefault(key, (schema, node))
            options = choices(node) or choices(resolve(schema, node.get("items")))
            if options and key not in self.options:
                self.options[key] = {display(value): label for value, label in options}

    @classmethod
    def of_node(cls, root: dict[str, Any], node: dict[str, Any]) -> FormLabels:
        """The labels of an object's parts (or of an array's items' parts) described by `node`."""
        labels = cls()
        items = resolve(root, node.get("items")) if node.get("type") == "array" else node
        if properties(items):
            labels.add({**items, **{k: v for k, v in root.items() if k in ("$defs", "definitions")}},
                       list(properties(items)))  # fmt: skip
        return labels

    def has_title(self, key: str) -> bool:
        """Whether the flow's forms (or the engine) name the key: untitled keys are the flow's
        internals, shown only in the raw data."""
        return key in ENGINE_KEYS or key in self.titles

    def title(self, key: str) -> str:
        if key in ENGINE_KEYS:
            return str(ENGINE_KEYS[key])
        inherited = self.parent.titles.get(key) if self.parent is not None else None
        return self.titles.get(key) or inherited or glossary.title(key) or key

    def node(self, key: str) -> dict[str, Any]:
        return self.nodes.get(key, ({}, {}))[1]

    def parts(self, key: str) -> FormLabels:
        """The labels of the parts of a nested value (an object, or a list of objects)."""
        root, node = self.nodes.get(key, ({}, {}))
        labels = FormLabels.of_node(root, node) if node else FormLabels()
        labels.parent, labels.user, labels._links = self, self.user, self._links
        return labels

    def for_user(self, user: Any) -> FormLabels:
        """These labels resolving linked ids as `user` may see them."""
        self.user = user
        self._links = {}
        return self

    def link(self, key: str, value: Any) -> links.Link | None:
        """The object a linked field's value names (“#11” when the user may not see it); None
        when the field is not a link."""
        kind = links.kind_of(key, self.node(key))
        if kind is None and key not in self.nodes:
            kind = glossary.LINKS.get(key)
        if kind is None or value in (None, "") or isinstance(value, (bool, dict, list)):
            return None
        memo = (kind, str(value))
        if memo not in self._links:
            self._links[memo] = links.resolve(self.user, kind, value) if self.user is not None else None
        return self._links[memo] or links.Link(links.hidden(value))

    def kind(self, key: str) -> str | None:
        """The value kind of a field (values.KINDS, or glossary's "template"), or None."""
        if key in self.nodes:
            return values.kind_of(key, self.node(key))
        return glossary.kind(key) or values.kind_of(key)

    def value(self, key: str, value: Any) -> str:
        """A value as a person reads it: choice titles, 是/否, ¥ amounts, local times, durations in
        words, a list as “地段交通、学校配套”."""
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
            return "、".join(self.value(key, v) for v in value)
        if isinstance(value, (dict, list)):
            return cut(self.nested_text(key, value))
        option = self.options.get(key, {}).get(display(value))
        if option is not None:
            return option
        found = self.link(key, value)
        if found is not None:
            return found.text
        if key not in self.nodes:
            option = glossary.enum(key, value)
            if option is not None:
                return option
        kind = self.kind(key)
        if kind == glossary.TEMPLATE:
            return glossary.template_name(value)
        if kind == glossary.MONEY_TEXT:
            kind = values.MONEY if isinstance(value, str) else None
        return values.plain(value, kind)

    def nested_text(self, key: str, value: Any) -> str:
        """An object as “客户: 张三; 受理编号: …”, a list of objects one after the other."""
        parts = self.parts(key)
        if isinstance(value, dict):
            return parts.fields_text(value)
        if isinstance(value, list):
            return " / ".join(parts.fields_text(v) if isinstance(v, dict) else compact(v) for v in value)
        return self.value(key, value)

    def fields_text(self, value: dict[str, Any]) -> str:
        return "; ".join(f"{self.title(k)}: {self.value(k, v)}" for k, v in value.items())


@dataclass
class DataRow:
    key: str
    label: str
    text: str
    nested: bool = False
    revealable: bool = False  # the text is a mask the user may have shown in full
    url: str = ""  # the linked object's page (webapp.common.links)
    headers: list[str] = field(default_factory=list)  # a nested value as a table
    cells: list[list[str]] = field(default_factory=list)


def _is_nested(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)
    )


def data_rows(data: dict[str, Any], labels: FormLabels) -> tuple[list[DataRow], list[DataRow]]:
    """(plain rows in form order, nested rows such as service results drawn as tables) of the
    data the flow's forms name; keys no form names are the flow's internals (raw data only)."""
    keys = [k for k in ENGINE_KEYS if k in data]
    keys += [k for k in labels.order if k in data and k not in keys]
    keys += [k for k in data if k not in keys and labels.has_title(k)]
    plain, nested = [], []
    for key in keys:
        value = data[key]
        if _is_nested(value):
            nested.append(_nested_row(key, value, labels))
        else:
            found = labels.link(key, value)
            url = found.url if found is not None else ""
            plain.append(DataRow(key, labels.title(key), labels.value(key, value), url=url))
    return plain, nested


def _nested_row(key: str, value: Any, labels: FormLabels) -> DataRow:
    """An object's plain parts as one line and its list of objects (if any) as a table; a list of
    objects as a table."""
    parts = labels.parts(key)
    if isinstance(value, list):
        headers, cells = table(parts, value)
        return DataRow(key, labels.title(key), "", nested=True, headers=headers, cells=cells)
    lists = [k for k, v in value.items() if _is_nested(v)]
    text = parts.fields_text({k: v for k, v in value.items() if k not in lists[:1]})
    headers, cells = table(parts.parts(lists[0]), value[lists[0]]) if lists else ([], [])
    return DataRow(key, labels.title(key), text, nested=True, headers=headers, cells=cells)


def table(parts: FormLabels, value: Any) -> tuple[list[str], list[list[str]]]:
    """An object (one row) or a list of objects as (headers, rows), the parts' titles as headers."""
    items = value if isinstance(value, list) else [value]
    keys: list[str] = []
    for item in items:
        if isinstance(item, dict):
            keys += [k for k in item if k not in keys]
    if not keys:
        return [parts.title("")], [[parts.value("", item)] for item in items]
    rows = [[parts.value(k, item.get(k)) if isinstance(item, dict) else "—" for k in keys] for item in items]
    return [parts.title(k) for k in keys], rows
