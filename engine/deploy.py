"""Deploying a flow: check every file, parse with SpiffWorkflow, store one immutable version.

`check_flow` finds every problem (nothing is written); `do_deploy_flow` stores a new version
unless identical content is already deployed under the same key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from forms.jsonsafe import too_deep
from forms.text import control_message

from . import audit, clock, hooks
from .errors import DeployError, Problem
from .lint import BPMN, lint_bpmn, lint_dmn, local, properties
from .models import ProcessFile, ProcessVersion
from .spiff import EngineParser, Specs, specs_to_json

ALLOWED_SUFFIXES = (".bpmn", ".dmn", ".json")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
MAX_FILES = 100


@dataclass
class CheckedFlow:
    key: str
    name: str
    specs: Specs
    files: dict[str, bytes]
    sha256: str
    summary: dict[str, Any]
    start_form: str
    start_ui_form: str


def read_flow_folder(folder: Path) -> dict[str, bytes]:
    """The deployable files of processes/<flow>/ (BPMN, DMN, form JSON)."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.suffix in ALLOWED_SUFFIXES and p.is_file()
    }


def content_hash(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def _check_files(files: dict[str, bytes]) -> list[Problem]:
    limit = settings.ANJU_MAX_UPLOAD_BYTES
    problems = []
    if not files:
        problems.append(Problem("no files were given"))
    if len(files) > MAX_FILES:
        problems.append(Problem(f"at most {MAX_FILES} files per deployment"))
    if sum(len(c) for c in files.values()) > 4 * limit:
        problems.append(Problem(f"the files together exceed {4 * limit} bytes"))
    for name, content in files.items():
        if not _SAFE_NAME.match(name) or ".." in name:
            problems.append(Problem("file names may hold only letters, digits, '.', '_' and '-'", file=name))
        elif not name.endswith(ALLOWED_SUFFIXES):
            problems.append(Problem("only .bpmn, .dmn and .json files can be deployed", file=name))
        if len(content) > limit:
            problems.append(Problem(f"file is larger than {limit} bytes", file=name))
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem("file is not UTF-8 text", file=name))
            continue
        control = control_message(text)
        if control:  # PostgreSQL refuses NUL in the stored file
            problems.append(Problem(control, file=name))
        elif name.endswith(".json") and too_deep(content, settings.ANJU_MAX_JSON_DEPTH):
            # before any parser sees it: 50,000 nested brackets are a RecursionError in json.loads
            problems.append(
                Problem(f"JSON nested deeper than {settings.ANJU_MAX_JSON_DEPTH} levels", file=name)
            )
    if files and not any(n.endswith(".bpmn") for n in files):
        problems.append(Problem("a deployment needs at least one .bpmn file"))
    return problems


def _spiff_problem(exc: Exception, default_file: str = "") -> Problem:
    if isinstance(exc, ValidationException):
        line = exc.line_number if isinstance(exc.line_number, int) and exc.line_number else None
        return Problem(
            str(exc.args[0]) if exc.args else str(exc),
            file=exc.file_name or default_file,
            element_id=exc.id or "",
            line=line,
        )
    task_spec = getattr(exc, "task_spec", None)
    element_id = getattr(task_spec, "bpmn_id", "") or "" if task_spec is not None else ""
    return Problem(str(exc), file=default_file, element_id=element_id)


def _top_level_process(
    parser: EngineParser, trees: dict[str, etree._ElementTree]
) -> tuple[str, str] | Problem:
    executable = parser.get_process_ids()
    called = {
        el.get("calledElement") for tree in trees.values() for el in tree.iter(f"{{{BPMN}}}callActivity")
    }
    top = [pid for pid in executable if pid not in called]
    if len(top) != 1:
        found = ", ".join(top) or "none"
        return Problem(f"a deployment needs exactly one executable top-level process (found: {found})")
    key = top[0]
    for tree in trees.values():
        for process in tree.iter(f"{{{BPMN}}}process"):
            if process.get("id") == key:
                return key, process.get("name") or key
    return key, key


def check_flow(files: dict[str, bytes]) -> CheckedFlow:
    """Every check, without writing anything. Raises DeployError listing all problems found."""
    problems = _check_files(files)
    if problems:
        raise DeployError(problems)
    from .xmlsafe import parse_xml

    trees: dict[str, etree._ElementTree] = {}
    for name, content in sorted(files.items()):
        if name.endswith((".bpmn", ".dmn")):
            tree, errs = parse_xml(name, content)
            problems += errs
            if tree is not None:
                trees[name] = tree
    if problems:
        raise DeployError(problems)
    for name, tree in trees.items():
        problems += lint_bpmn(name, tree, files) if name.endswith(".bpmn") else lint_dmn(name, tree)
    if problems:
        raise DeployError(problems)

    parser = EngineParser(validator=VALIDATOR)
    for name, tree in trees.items():
        try:
            if name.endswith(".bpmn"):
                parser.add_bpmn_xml(tree, filename=name)
            else:
                parser.add_dmn_xml(tree.getroot(), filename=name)
        except (SpiffWorkflowException, etree.LxmlError, ValueError, KeyError, TypeError) as exc:
            problems.append(_spiff_problem(exc, name))
    if problems:
        raise DeployError(problems)
    found = _top_level_process(parser, trees)
    if isinstance(found, Problem):
        raise DeployError([found])
    key, name = found
    try:
        specs = Specs(parser.get_spec(key), parser.get_subprocess_specs(key))
    except (SpiffWorkflowException, etree.LxmlError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DeployError([_spiff_problem(exc)]) from exc
    start_form, start_ui, start = _start_event(trees, key)
    return CheckedFlow(
        key=key,
        name=name,
        specs=specs,
        files=files,
        sha256=content_hash(files),
        summary={**_summary(trees), "start": start},
        start_form=start_form,
        start_ui_form=start_ui,
    )


def _start_event(trees: dict[str, etree._ElementTree], key: str) -> tuple[str, str, dict[str, str]]:
    """The top process's (first) none start event: its form files, id and hook."""
    for tree in trees.values():
        for process in tree.iter(f"{{{BPMN}}}process"):
            if process.get("id") != key:
                continue
            for start in process.findall(f"{{{BPMN}}}startEvent"):
                props = properties(start)
                facts = {"element_id": start.get("id", ""), "hook": props.get(hooks.PROPERTY, "")}
                return props.get("formJsonSchemaFilename", ""), props.get("formUiSchemaFilename", ""), facts
    return "", "", {}


SUMMARY_TYPES = {
    "userTask", "manualTask", "serviceTask", "scriptTask", "startEvent", "endEvent",
    "intermediateCatchEvent", "boundaryEvent", "exclusiveGateway", "callActivity",
}  # fmt: skip


def _summary(trees: dict[str, etree._ElementTree]) -> dict[str, Any]:
    """Facts the UI shows without loading specs: lanes and the named elements."""
    lanes: list[str] = []
    elements: dict[str, dict[str, str]] = {}
    for tree in trees.values():
        for lane in tree.iter(f"{{{BPMN}}}lane"):
            if lane.get("name") and lane.get("name") not in lanes:
                lanes.append(lane.get("name", ""))
        for el in tree.iter(*(f"{{{BPMN}}}{t}" for t in SUMMARY_TYPES)):
            if el.get("id"):
                elements[el.get("id", "")] = {"type": local(el), "name": el.get("name", "")}
    return {"lanes": lanes, "elements": elements}


def shipped_note(name: str, latest: ProcessVersion | None, source: str) -> str:
    """The change note of a version deployed from the repository's processes/ without one of its own."""
    with translation.override(settings.LANGUAGE_CODE):
        if latest is None:
            first = _("First version of “%(name)s”, deployed from %(source)s")
            return first % {"name": name, "source": source}
        return _("“%(name)s” updated from %(source)s (previous: version %(version)s)") % {
            "name": name, "source": source, "version": latest.version,
        }  # fmt: skip


def do_deploy_flow(
    files: dict[str, bytes], *, user: Any = None, note: str = "", source: str = ""
) -> tuple[ProcessVersion, bool]:
    """Deploy the files; returns (version, created). Identical content returns the existing version.
    Without a note, files from `source` (a folder of processes/) get one saying so."""
    checked = check_flow(files)
    existing = ProcessVersion.objects.filter(key=checked.key, sha256=checked.sha256).first()
    if existing is not None:
        return existing, False
    spec_json = specs_to_json(checked.specs)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = ProcessVersion.objects.filter(key=checked.key).order_by("-version").first()
                version = ProcessVersion.objects.create(
                    key=checked.key,
                    version=(latest.version + 1) if latest else 1,
                    name=checked.name,
                    sha256=checked.sha256,
                    deployed_by=user if getattr(user, "pk", None) else None,
                    deployed_at=clock.now(),
                    note=(note or (shipped_note(checked.name, latest, source) if source else ""))[:2000],
                    spec_json=spec_json,
                    start_form=checked.start_form,
                    start_ui_form=checked.start_ui_form,
                    summary=checked.summary,
                )
                ProcessFile.objects.bulk_create(
                    ProcessFile(version=version, name=n, content=c.decode("utf-8"))
                    for n, c in sorted(files.items())
                )
                audit.record_deploy(version, user)
                return version, True
        except IntegrityError:
            # A concurrent deploy took the version number, or deployed the same content.
            same = ProcessVersion.objects.filter(key=checked.key, sha256=checked.sha256).first()
            if same is not None:
                return same, False
    raise DeployError([Problem("could not allocate a version number; try again")])


def deploy_folder(folder: Path, *, user: Any = None, note: str = "") -> tuple[ProcessVersion, bool]:
    try:
        source = folder.resolve().relative_to(Path(settings.BASE_DIR).resolve()).as_posix()
    except ValueError:  # a folder outside the project (tests, an analyst's copy)
        source = folder.name
    return do_deploy_flow(read_flow_folder(folder), user=user, note=note, source=f"{source}/")


def flow_folders(root: Path | None = None) -> list[Path]:
    """Every folder under processes/ that holds a flow (.bpmn files), at any depth: a family of
    linked flows may share a parent folder (processes/movein/batch, …/room, …/defect)."""
    root = root or Path(settings.ANJU_PROCESSES_DIR)
    return sorted({path.parent for path in root.rglob("*.bpmn")})


def deploy_all(root: Path | None = None, *, user: Any = None) -> list[tuple[ProcessVersion, bool]]:
    """Deploy every flow folder under processes/ (what `make run` and the tests do)."""
    return [deploy_folder(folder, user=user) for folder in flow_folders(root)]
