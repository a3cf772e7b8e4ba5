"""One include renders every list page's filter bar from the fields its view describes
(webapp/common/filters.py, templates/common/filter_bar.html)."""

from django.template.loader import render_to_string
from django.utils import translation

from webapp.common.filters import Field, FilterBar, Link


def render(bar: FilterBar) -> str:
    with translation.override("en"):
        return render_to_string("common/filter_bar.html", {"bar": bar})


def test_a_select_marks_the_current_value_compared_as_text():
    html = render(FilterBar("b", [Field("select", "who", "Who", 2, [(1, "一"), (2, "二")], blank="All")]))
    assert '<select class="form-select form-select-sm" id="f-who" name="who">' in html
    assert '<option value="">All</option>' in html
    assert '<option value="1">一</option><option value="2" selected>二</option>' in html


def test_a_select_without_blank_has_no_empty_option():
    html = render(FilterBar("b", [Field("select", "sort", "Sort", "b", [("a", "A"), ("b", "B")])]))
    assert '<option value="">' not in html and '<option value="b" selected>B</option>' in html


def test_inputs_carry_their_kind_id_value_and_bounds():
    html = render(
        FilterBar(
            "b",
            [
                Field("hidden", "tab", value="mine"),
                Field("date", "due_before", "Due by", None, id="f-due"),
                Field("search", "q", "Search", "张", placeholder="Customer", autofocus=True),
                Field("text", "room", "Room", "5栋"),
            ],
        )
    )
    assert '<input type="hidden" name="tab" value="mine">' in html
    assert 'type="date" id="f-due" name="due_before" value=""' in html
    assert (
        'type="search" id="f-q" name="q" value="张" maxlength="100" autofocus placeholder="Customer">' in html
    )
    assert 'type="text" id="f-room" name="room" value="5栋">' in html  # no maxlength: not a search box


def test_a_checkbox_is_checked_when_its_value_says_so():
    checked = render(FilterBar("b", [Field("checkbox", "overdue", "Overdue", "1")]))
    unchecked = render(FilterBar("b", [Field("checkbox", "overdue", "Overdue", "")]))
    assert 'type="checkbox" id="f-overdue" name="overdue" value="1" checked>' in checked
    assert 'value="1">' in unchecked and "checked" not in unchecked


def test_values_and_labels_are_escaped():
    html = render(FilterBar("b", [Field("search", "q", "Search", '"><script>')]))
    assert "<script>" not in html and 'value="&quot;&gt;&lt;script&gt;"' in html


def test_buttons_reset_and_links():
    plain = render(FilterBar("plain-filters", [], css="anju-filters"))
    assert '<form method="get" class="row g-2 align-items-end mb-2 anju-filters" id="plain-filters">' in plain
    assert ">Filter</button>" in plain and '<a class="btn btn-sm btn-link" href="?">Reset</a>' in plain
    search = render(
        FilterBar(
            "b",
            [],
            role="search",
            submit="Search",
            reset=None,
            links=[Link("XLSX", "/x?a=1&b=2", id="x"), Link("CSV", "/c")],
        )
    )
    assert 'role="search"' in search and ">Search</button>" in search and "Reset" not in search
    assert (
        '<a class="btn btn-sm btn-outline-secondary ms-auto" href="/x?a=1&amp;b=2" id="x">XLSX</a>' in search
    )
    assert '<a class="btn btn-sm btn-outline-secondary" href="/c">CSV</a>' in search
