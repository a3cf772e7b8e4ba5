"""The pages' assets resolve through the static finders, and unknown URLs are plain 404s."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import get_template

ASSETS = [
    "vendor/bootstrap/dist/css/bootstrap.min.css",
    "vendor/bootstrap/dist/js/bootstrap.bundle.min.js",
    "vendor/bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "vendor/bpmn-js/dist/assets/diagram-js.css",
    "vendor/bpmn-js/dist/assets/bpmn-js.css",
    "vendor/bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css",
    "anju/anju.css",
    "anju/diagram.js",
    "anju/privacy.js",
    "anju/lookup.js",
    "anju/forms.js",
    "anju/favicon.svg",
]


@pytest.mark.parametrize("path", ASSETS)
def test_every_asset_the_templates_use_is_found(path):
    assert finders.find(path), path


def test_the_templates_reference_only_known_assets():
    names = ["base.html", "pages/_diagram_assets.html", "pages/task.html", "pages/instance.html"]
    used = set()
    for name in names:
        source = Path(get_template(name).origin.name).read_text(encoding="utf-8")
        used.update(re.findall(r"{% static '([^']+)' %}", source))
    assert used <= set(ASSETS)


def test_the_diagram_script_is_served(web, cast):
    response = web("agent").get("/static/anju/diagram.js")
    assert response.status_code == 200


def test_an_unknown_url_is_a_404_page(web):
    for client in (web(None), web("agent")):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        assert "未找到" in response.content.decode()
