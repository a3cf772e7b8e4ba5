"""Rendering a form schema (+ UI schema) as Bootstrap 5 HTML fields.

All markup goes through format_html/flatatt, so every piece of schema text and user data is
escaped; nothing here builds HTML by string concatenation of unescaped values.

render_form draws every field; render_form_parts (the task page) draws only what the person fills
in and gives the read-only fields back as context rows: a compact summary of the values as a
person reads them (choice titles, 是/否, local times), empty ones left out.

Text with a maxLength shows a live counter ("12/200", static/anju/forms.js) instead of a maxlength
attribute, which would cut pasted text silently; the server refuses what is too long, by name.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeGuard

from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from forms import lookup
from forms.schema import (
    Schema,
    as_dict,
    choices,
    display,
    is_read_only,
    ordered_names,
    primary_type,
    properties,
    required_names,
    resolve,
    ui_option,
)
from forms.validation import NON_FIELD_ERRORS

# input type per string "format", and per rjsf "ui:widget" name (the widget wins).
_FORMAT_INPUT_TYPES = {
    "email": "email",
    "date": "date",
    "date-time": "datetime-local",
    "time": "time",
    "uri": "url",
    "cn-mobile": "tel",
    "cn-phone": "tel",
}
_WIDGET_INPUT_TYPES = {
    "text": "text",
    "password": "password",
    "date": "date",
    "datetime": "datetime-local",
    "time": "time",
    "email": "email",
    "uri": "url",
    "color": "color",
    "updown": "number",
}
# Input types that take free text; ui:options.inputType may pick one of them.
_TEXT_INPUT_TYPES = frozenset({"text", "tel", "email", "url", "search", "password", "date", "time"})
# Input types whose length a person controls (the others are fixed-format pickers).
_COUNTED_INPUT_TYPES = frozenset({"text", "tel", "email", "url", "search", "password"})
# A literal, so marking it safe is safe; screen readers get the input's "required" instead.
_STAR = SafeString('<span class="text-danger ms-1" aria-hidden="true">*</span>')
_DEFAULT_TEXTAREA_ROWS = 4
_MAX_TEXTAREA_ROWS = 50


class _Absent:
    """No value in the data for this field (distinct from an explicit null)."""


_ABSENT = _Absent()


def _join(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


@dataclass(frozen=True)
class ContextRow:
    """A read-only field with a value, for a summary: its top-level key, title and value as text."""

    key: str
    label: str
    text: str


@dataclass
class FormParts:
    """A form split for a page that puts the work first (render_form_parts)."""

    inputs: SafeString  # the fields to fill in, hidden fields, the alert of errors with no field
    context: list[ContextRow]  # read-only fields with a value
    input_count: int  # visible fields to fill in (0: nothing to do here)


# How a caller shows some scalar values its own way (amounts, durations): (key, schema node,
# value) -> text, or None for the default. Choices always show their titles.
ValueText = Callable[[str, dict[str, Any], Any], str | None]


@dataclass
class _Field:
    node: Schema
    ui: dict[str, Any]
    path: str  # dotted data path: "address.city", "contacts.0.name"
    html_name: str
    html_id: str
    label: str
    required: bool
    value: Any
    errors: list[str]
    readonly: bool  # shown, not editable
    disabled: bool  # ui:disabled: greyed out and not posted

    def help_texts(self) -> list[str]:
        texts = [
            ui_option(self.ui, "description") or self.node.get("description"),
            ui_option(self.ui, "help"),
        ]
        return [t for t in texts if isinstance(t, str) and t]

    def max_length(self) -> int | None:
        """The maxLength a person typing here sees counted; None when read-only or unbounded."""
        if self.readonly or self.disabled:
            return None
        return _non_negative_int(self.node.get("maxLength"))

    def described_by(self) -> str | None:
        ids = []
        if self.errors:
            ids.append(f"{self.html_id}_error")
        if self.help_texts():
            ids.append(f"{self.html_id}_help")
        return " ".join(ids) or None

    def control_attrs(self, css: str, *, can_be_readonly: bool = True) -> dict[str, Any]:
        """Attributes every control of this field shares."""
        locked_by_disabling = self.disabled or (self.readonly and not can_be_readonly)
        return {
            "class": f"{css} is-invalid" if self.errors else css,
            "name": self.html_name,
            "required": self.required and not (self.readonly or self.disabled),
            "readonly": self.readonly and not locked_by_disabling,
            "disabled": locked_by_disabling,
            "autofocus": ui_option(self.ui, "autofocus") is True,
            "aria-invalid": "true" if self.errors else None,
            "aria-describedby": self.described_by(),
        }


def _star(field: _Field) -> SafeString:
    if not field.required:
        return SafeString("")
    return _STAR


def _counter(field: _Field, text: str | None) -> SafeString:
    """The live "12/200" under a text field with a maxLength (static/anju/forms.js keeps it current)."""
    limit = field.max_length()
    if limit is None:
        return SafeString("")
    count = len((text or "").replace("\r\n", "\n"))  # code points, as JSON Schema counts
    return format_html(
        '<div class="form-text text-end anju-counter{}" id="{}_count" data-count-for="{}" data-max="{}">'
        "{}/{}</div>",
        " text-danger" if count > limit else "",
        field.html_id,
        field.html_id,
        limit,
        count,
        limit,
    )


def _with_counter(field: _Field, attrs: dict[str, Any]) -> None:
    """Point the control at its counter, for screen readers."""
    if field.max_length() is not None:
        attrs["aria-describedby"] = " ".join(
            filter(None, [attrs.get("aria-describedby"), f"{field.html_id}_count"])
        )


def _feedback(field: _Field) -> SafeString:
    """Errors beside the field; d-block because groups have no sibling .is-invalid input."""
    if not field.errors:
        return SafeString("")
    return format_html(
        '<div id="{}_error">{}</div>',
        field.html_id,
        format_html_join("", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in field.errors)),
    )


def _help(field: _Field) -> SafeString:
    texts = field.help_texts()
    if not texts:
        return SafeString("")
    return format_html(
        '<div id="{}_help">{}</div>',
        field.html_id,
        format_html_join("", '<div class="form-text">{}</div>', ((t,) for t in texts)),
    )


def _text_value(node: Schema, value: Any) -> str | None:
    """What goes into an input's value attribute; None leaves it out."""
    if value is _ABSENT or value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if node.get("format") == "date-time" and isinstance(value, str):
        return _local_date_time(value)
    return display(value)


def _local_date_time(value: str) -> str:
    """An RFC 3339 date-time as a datetime-local value in the active time zone."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.replace(tzinfo=None).isoformat(timespec="seconds" if moment.second else "minutes")


def _number_attrs(node: Schema, kind: str) -> dict[str, Any]:
    step: Any = "1" if kind == "integer" else "any"
    multiple = node.get("multipleOf")
    if _is_number(multiple) and multiple > 0:
        step = display(multiple)
    return {
        "step": step,
        "min": display(node["minimum"]) if _is_number(node.get("minimum")) else None,
        "max": display(node["maximum"]) if _is_number(node.get("maximum")) else None,
    }


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _non_negative_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _empty(value: Any) -> bool:
    return value is _ABSENT or value is None or value == "" or value == [] or value == {}


def _title(node: Schema, ui: dict[str, Any], fallback: str) -> str:
    title = ui_option(ui, "title") or node.get("title")
    return title if isinstance(title, str) and title else fallback


class _Renderer:
    def __init__(
        self,
        root: Schema,
        errors: dict[str, list[str]],
        prefix: str,
        readonly: bool,
        *,
        split: bool = False,
        value_text: ValueText | None = None,
    ) -> None:
        self.root = root
        self.errors = errors
        self.prefix = prefix
        self.readonly = readonly
        self.shown: set[str] = set()  # error keys displayed beside a field
        self.labels: dict[str, str] = {}
        self.split = split  # top-level read-only fields become context rows
        self.value_text = value_text
        self.context: list[ContextRow] = []
        self.input_count = 0

    # --- structure ---------------------------------------------------------------------------

    def form(self, ui: dict[str, Any], data: dict[str, Any]) -> SafeString:
        body = self.fields(resolve(self.root, self.root), ui, data, "")
        return _join([self.summary(), body])

    def fields(self, node: Schema, ui: dict[str, Any], data: dict[str, Any], path: str) -> SafeString:
        props = properties(node)
        required = required_names(node)
        parts = []
        for name in ordered_names(node, ui):
            child, child_ui, value = (
                resolve(self.root, props[name]),
                as_dict(ui.get(name)),
                data.get(name, _ABSENT),
            )
            if self.split and not path and ui_option(child_ui, "widget") != "hidden":
                if self.readonly or is_read_only(child, child_ui):
                    self.add_context(name, child, child_ui, value)
                    continue
                self.input_count += 1
            parts.append(self.field(child, child_ui, value, f"{path}{name}", name in required))
        return _join(parts)

    def add_context(self, name: str, node: Schema, ui: dict[str, Any], value: Any) -> None:
        """A read-only top-level field as a context row; left out when it has no value."""
        label = self.labels[name] = _title(node, ui, name)
        text = self.read_text(name, node, value)
        if text:
            self.context.append(ContextRow(name, label, text))

    def read_text(self, key: str, node: Schema, value: Any) -> str:
        """A value as a person reads it; "" for no value."""
        if _empty(value):
            return ""
        scalar = not isinstance(value, (dict, list))
        options = choices(node)
        if options is not None and scalar:
            return next(
                (label for option, label in options if display(option) == display(value)), display(value)
            )
        if self.value_text is not None and scalar:
            custom = self.value_text(key, node, value)
            if custom is not None:
                return custom
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, list):
            items = resolve(self.root, node.get("items"))
            return _(", ").join(text for text in (self.read_text(key, items, item) for item in value) if text)
        if isinstance(value, dict):
            props = properties(node)
            parts = []
            for part, item in value.items():
                child = resolve(self.root, props.get(part))
                text = self.read_text(str(part), child, item)
                if text:
                    parts.append(
                        _("%(title)s: %(value)s") % {"title": _title(child, {}, str(part)), "value": text}
                    )
            return _("; ").join(parts)
        if node.get("format") == "date-time" and isinstance(value, str):
            return _local_date_time(value).replace("T", " ")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return display(value)

    def make_field(self, node: Schema, ui: dict[str, Any], value: Any, path: str, required: bool) -> _Field:
        title = ui_option(ui, "title") or node.get("title")
        label = title if isinstance(title, str) and title else path.rsplit(".", 1)[-1]
        self.labels[path] = label
        html_name = self.prefix + path
        return _Field(
            node=node,
            ui=ui,
            path=path,
            html_name=html_name,
            html_id="id_" + html_name.replace(".", "__"),
            label=label,
            required=required,
            value=value,
            errors=self.take_errors(path),
            readonly=self.readonly or is_read_only(node, ui),
            disabled=ui_option(ui, "disabled") is True,
        )

    def take_errors(self, path: str, *, with_items: bool = False) -> list[str]:
        """Messages for `path` (and "path.N" item keys if asked), marked as shown."""
        keys = [k for k in self.errors if k == path or (with_items and k.startswith(f"{path}."))]
        self.shown.update(keys)
        return [message for key in keys for message in self.errors[key]]

    def field(self, node: Schema, ui: dict[str, Any], value: Any, path: str, required: bool) -> SafeString:
        widget = ui_option(ui, "widget")
        kind = primary_type(node)
        if widget == "hidden":
            title = ui_option(ui, "title") or node.get("title")
            self.labels[path] = title if isinstance(title, str) and title else path
            return format_html(
                "<input{}>",
                flatatt(
                    {
                        "type": "hidden",
                        "name": self.prefix + path,
                        "id": "id_" + (self.prefix + path).replace(".", "__"),
                        "value": _text_value(node, value),
                    }
                ),
            )
        if kind == "object":
            return self.group(node, ui, value, path, required)
        if kind == "array":
            return self.array(node, ui, value, path, required)
        field = self.make_field(node, ui, value, path, required)
        options = choices(node)
        if kind == "boolean" and options is None:
            if widget not in ("radio", "select"):
                return self.checkbox(field)
            options = [(True, _("Yes")), (False, _("No"))]
        if options is not None:
            selected = set() if value is _ABSENT else {display(value)}
            if widget == "radio":
                return self.choice_group(field, options, selected, "radio")
            return self.select(field, options, selected, multiple=False)
        if widget == "textarea":
            return self.textarea(field)
        return self.input(field, kind, widget)

    def summary(self) -> SafeString:
        """Errors with no field to sit beside: non-field errors, hidden fields, unknown keys."""
        items: list[tuple[str]] = []
        for key, messages in self.errors.items():
            if key in self.shown:
                continue
            for message in messages:
                if key == NON_FIELD_ERRORS:
                    items.append((message,))
                else:
                    items.append((f"{self.labels.get(key, key)}: {message}",))
        if not items:
            return SafeString("")
        return format_html(
            '<div class="alert alert-danger" role="alert"><ul class="mb-0">{}</ul></div>',
            format_html_join("", "<li>{}</li>", items),
        )

    # --- widgets -----------------------------------------------------------------------------

    def wrap(self, field: _Field, control: SafeString) -> SafeString:
        return format_html(
            '<div class="mb-3"><label class="form-label" for="{}">{}{}</label>{}{}{}</div>',
            field.html_id,
            field.label,
            _star(field),
            control,
            _feedback(field),
            _help(field),
        )

    def input(self, field: _Field, kind: str | None, widget: Any) -> SafeString:
        node = field.node
        attrs = field.control_attrs("form-control")
        placeholder = ui_option(field.ui, "placeholder")
        attrs["placeholder"] = placeholder if isinstance(placeholder, str) else None
        if kind in ("integer", "number"):
            attrs.update({"type": "number", **_number_attrs(node, kind)})
        else:
            fmt = node.get("format", "")
            input_type = ui_option(field.ui, "inputType")  # rjsf's ui:options.inputType
            attrs["type"] = (
                _WIDGET_INPUT_TYPES.get(widget)
                or (input_type if input_type in _TEXT_INPUT_TYPES else None)
                or _FORMAT_INPUT_TYPES.get(fmt)
                or "text"
            )
            if attrs["type"] == "tel":
                attrs["inputmode"] = "tel"
            attrs["minlength"] = _non_negative_int(node.get("minLength"))
        # A stored password is never sent back to the browser.
        if attrs["type"] != "password":
            attrs["value"] = _text_value(node, field.value)
        attrs["id"] = field.html_id
        editable = not (field.readonly or field.disabled)
        picker = lookup.input_attrs(node, field.path, field.html_id, self.prefix) if editable else {}
        attrs.update(picker)
        counter = SafeString("")
        if attrs["type"] in _COUNTED_INPUT_TYPES:
            _with_counter(field, attrs)
            counter = _counter(field, attrs.get("value"))
        control = lookup.decorate(format_html("<input{}>", flatatt(attrs)), picker, field.html_id)
        return self.wrap(field, _join([control, counter]))

    def textarea(self, field: _Field) -> SafeString:
        attrs = field.control_attrs("form-control")
        rows = _non_negative_int(ui_option(field.ui, "rows"))
        attrs["rows"] = str(min(rows or _DEFAULT_TEXTAREA_ROWS, _MAX_TEXTAREA_ROWS))
        placeholder = ui_option(field.ui, "placeholder")
        attrs["placeholder"] = placeholder if isinstance(placeholder, str) else None
        attrs["id"] = field.html_id
        _with_counter(field, attrs)
        text = _text_value(field.node, field.value) or ""
        control = format_html("<textarea{}>\n{}</textarea>{}", flatatt(attrs), text, _counter(field, text))
        return self.wrap(field, control)

    def checkbox(self, field: _Field) -> SafeString:
        attrs = field.control_attrs("form-check-input", can_be_readonly=False)
        attrs.update({"type": "checkbox", "value": "on", "checked": field.value is True, "id": field.html_id})
        # Ticking is optional by nature; a required boolean is satisfied by False too, so only a box
        # that must be ticked ("const": true, e.g. a confirmation) gets the star.
        attrs["required"] = False
        must_tick = field.required and field.node.get("const") is True
        return format_html(
            '<div class="mb-3"><div class="form-check"><input{}>'
            '<label class="form-check-label" for="{}">{}{}</label>{}</div>{}</div>',
            flatatt(attrs),
            field.html_id,
            field.label,
            _STAR if must_tick else SafeString(""),
            _feedback(field),
            _help(field),
        )

    def select(
        self, field: _Field, options: list[tuple[Any, str]], selected: set[str], multiple: bool
    ) -> SafeString:
        attrs = field.control_attrs("form-select", can_be_readonly=False)
        attrs.update({"id": field.html_id, "multiple": multiple})
        rows = []
        if not multiple:
            placeholder = ui_option(field.ui, "placeholder")
            blank = placeholder if isinstance(placeholder, str) and placeholder else _("Select…")
            rows.append(format_html('<option value="">{}</option>', blank))
        for value, label in options:
            rows.append(
                format_html(
                    "<option{}>{}</option>",
                    flatatt({"value": display(value), "selected": display(value) in selected}),
                    label,
                )
            )
        return self.wrap(field, format_html("<select{}>{}</select>", flatatt(attrs), _join(rows)))

    def choice_group(
        self, field: _Field, options: list[tuple[Any, str]], selected: set[str], input_type: str
    ) -> SafeString:
        rows = []
        for index, (value, label) in enumerate(options):
            attrs = field.control_attrs("form-check-input", can_be_readonly=False)
            option_id = f"{field.html_id}_{index}"
            attrs.update(
                {
                    "type": input_type,
                    "id": option_id,
                    "value": display(value),
                    "checked": display(value) in selected,
                    # Browsers read "required" on a checkbox as "this box"; only radios share it.
                    "required": attrs["required"] and input_type == "radio",
                    "autofocus": attrs["autofocus"] and index == 0,
                }
            )
            rows.append(
                format_html(
                    '<div class="form-check"><input{}>'
                    '<label class="form-check-label" for="{}">{}</label></div>',
                    flatatt(attrs),
                    option_id,
                    label,
                )
            )
        return self.fieldset(field, _join(rows), legend_class="form-label fs-6", notes_first=False)

    def fieldset(
        self, field: _Field, body: SafeString, *, legend_class: str, notes_first: bool
    ) -> SafeString:
        """A group under a legend; help and errors go above member fields, below options."""
        notes = _join([_feedback(field), _help(field)])
        return format_html(
            '<fieldset class="mb-3" id="{}"><legend class="{}">{}{}</legend>{}{}</fieldset>',
            field.html_id,
            legend_class,
            field.label,
            _star(field),
            notes if notes_first else body,
            body if notes_first else notes,
        )

    # --- compound ----------------------------------------------------------------------------

    def group(self, node: Schema, ui: dict[str, Any], value: Any, path: str, required: bool) -> SafeString:
        field = self.make_field(node, ui, value, path, required)
        child = self.child(field)
        body = child.fields(node, ui, as_dict(value), f"{path}.")
        return self.fieldset(field, body, legend_class="fs-6 fw-semibold", notes_first=True)

    def child(self, field: _Field) -> _Renderer:
        """A renderer for a group's members: read-only when the group is; same error bookkeeping."""
        if not field.readonly or self.readonly:
            return self
        inner = _Renderer(self.root, self.errors, self.prefix, readonly=True)
        inner.shown, inner.labels = self.shown, self.labels
        return inner

    def array(self, node: Schema, ui: dict[str, Any], value: Any, path: str, required: bool) -> SafeString:
        items = resolve(self.root, node.get("items"))
        item_ui = as_dict(ui.get("items"))
        values = value if isinstance(value, list) else []
        options = choices(items)
        if options is not None:
            field = self.make_field(node, ui, value, path, required)
            # "colors.1": a bad choice inside the list is shown on the list's one widget.
            field.errors = self.take_errors(path, with_items=True)
            selected = {display(v) for v in values}
            if ui_option(ui, "widget") == "select":
                return self.select(field, options, selected, multiple=True)
            return self.choice_group(field, options, selected, "checkbox")
        field = self.make_field(node, ui, value, path, required)
        child = self.child(field)
        count = max(len(values) + (0 if field.readonly else 1), _non_negative_int(node.get("minItems")) or 0)
        rows = []
        for index in range(count):
            item_value = values[index] if index < len(values) else _ABSENT
            item_path = f"{path}.{index}"
            if primary_type(items) == "object":
                item = child.make_field(items, item_ui, item_value, item_path, required=False)
                item.label = f"{field.label} {index + 1}"
                body = child.fields(items, item_ui, as_dict(item_value), f"{item_path}.")
                rows.append(
                    format_html(
                        '<div class="border rounded p-3 mb-2">{}</div>',
                        child.fieldset(item, body, legend_class="fs-6", notes_first=True),
                    )
                )
            else:
                rows.append(child.array_input(items, item_ui, item_value, field, index))
        return self.fieldset(field, _join(rows), legend_class="fs-6 fw-semibold", notes_first=True)

    def array_input(
        self, items: Schema, ui: dict[str, Any], value: Any, parent: _Field, index: int
    ) -> SafeString:
        """One of several inputs posted under the same name (a list of scalars without choices)."""
        field = self.make_field(items, ui, value, f"{parent.path}.{index}", required=False)
        field.label = self.labels[field.path] = f"{parent.label} {index + 1}"
        field.html_name = parent.html_name
        kind = primary_type(items)
        attrs = field.control_attrs("form-control mb-1")
        if kind in ("integer", "number"):
            attrs.update({"type": "number", **_number_attrs(items, kind)})
        else:
            attrs["type"] = _FORMAT_INPUT_TYPES.get(items.get("format", ""), "text")
        attrs.update({"id": field.html_id, "value": _text_value(items, value), "aria-label": field.label})
        return format_html("<input{}>{}", flatatt(attrs), _feedback(field))


def render_form(
    schema: dict[str, Any],
    ui_schema: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    *,
    prefix: str = "",
    readonly: bool = False,
) -> SafeString:
    """The form's fields as Bootstrap 5 HTML (no <form> tag, no buttons).

    Field names are `prefix` + dotted path, ids "id_" + that with dots as "__" (what coerce_post
    reads). Errors with no visible field (non-field, hidden fields) are listed in an alert on top.
    """
    renderer = _Renderer(as_dict(schema), _clean_errors(errors), prefix, readonly)
    return renderer.form(as_dict(ui_schema), as_dict(data))


def render_form_parts(
    schema: dict[str, Any],
    ui_schema: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    *,
    prefix: str = "",
    readonly: bool = False,
    value_text: ValueText | None = None,
) -> FormParts:
    """The form as render_form draws it, except that top-level read-only fields (all of them when
    `readonly`) come back as context rows with their values as text, in form order, the empty ones
    left out. `value_text` may show some values its own way. Errors of a read-only field go to the
    alert on top of the inputs."""
    renderer = _Renderer(
        as_dict(schema), _clean_errors(errors), prefix, readonly, split=True, value_text=value_text
    )
    inputs = renderer.form(as_dict(ui_schema), as_dict(data))
    return FormParts(inputs, renderer.context, renderer.input_count)


def _clean_errors(errors: dict[str, list[str]] | None) -> dict[str, list[str]]:
    clean: dict[str, list[str]] = {}
    for key, messages in as_dict(errors).items():
        listed = messages if isinstance(messages, (list, tuple)) else [messages]
        clean[str(key)] = [str(m) for m in listed]
    return clean
