"""Render each flow's BPMN to SVG with bpmn-js in headless Chromium (docs/bpmn/<flow>.svg)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from engine.deploy import flow_folders

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
RENDER = """async (xml) => {
  const viewer = new BpmnJS({container: '#canvas'});
  await viewer.importXML(xml);
  const {svg} = await viewer.saveSVG();
  return svg;
}"""


def render_svg(xml: str) -> str:
    """SVG of a BPMN diagram as bpmn-js draws it (needs node_modules and /usr/bin/chromium)."""
    from playwright.sync_api import sync_playwright

    viewer = Path(settings.NODE_MODULES_DIR) / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"
    if not viewer.exists():
        raise CommandError("bpmn-js is not installed: run `npm ci`")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content('<div id="canvas" style="width:3200px;height:1600px"></div>')
            page.add_script_tag(path=str(viewer))
            return page.evaluate(RENDER, xml)
        finally:
            browser.close()


class Command(BaseCommand):
    help = "Write docs/bpmn/<flow>.svg for every flow folder in processes/."

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(settings.BASE_DIR) / "docs" / "bpmn"
        for folder in flow_folders():
            for bpmn in sorted(folder.glob("*.bpmn")):
                target = out / f"{bpmn.stem}.svg"
                target.write_text(render_svg(bpmn.read_text(encoding="utf-8")), encoding="utf-8")
                self.stdout.write(f"{target.relative_to(settings.BASE_DIR)}")
