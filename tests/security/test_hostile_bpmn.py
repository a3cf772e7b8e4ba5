"""Hostile BPMN through both doors that parse it: the deploy (POST /api/process-definitions/) and the
designer's lint (POST /api/designer/lint/ {"files": {...}} as the analyst); and diagram code that
tries to leave the sandbox, through the lint, the designer's script check and a running flow.

Already covered, not repeated here:
- tests/engine/test_deploy.py: at the deploy, billion laughs, an external entity (file://), an
  external DTD over http://, a UTF-16 file hiding a DOCTYPE, a file over the size limit, broken
  XML, and scripts or conditions with import / __subclasses__ / __import__;
- tests/engine/test_sandbox.py: what the sandbox refuses at compile time (import, __subclasses__,
  underscores, classes, global), builtins that do not exist (open, eval, exec, getattr,
  __import__, compile), endless loops and recursion stopped within the budget, huge objects;
- tests/engine/test_scripts.py: a script that runs forever in a flow becomes an incident.
"""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engine.models import Incident, ProcessVersion
from engine.sandbox import SandboxEnvironment, ScriptRuleError, check_code
from tests.conftest import FLOWS
from tests.helpers import complete, instance, only_task, start

LOOP = (FLOWS / "loop" / "loop.bpmn").read_text()
WORK_FORM = (FLOWS / "loop" / "work.schema.json").read_text()
DEFINITIONS = "<bpmn:definitions"
PASSWD = "root:x:0:0"  # what /etc/passwd starts with: it must appear in no answer


def with_prologue(prologue: str, name: str = "处理") -> str:
    """The loop flow with `prologue` before its root element and `name` as the user task's name."""
    return LOOP.replace(DEFINITIONS, prologue + "\n" + DEFINITIONS, 1).replace(
        'name="处理"', f'name="{name}"', 1
    )


HOSTILE_XML = {
    "billion laughs": with_prologue(
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
        '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>',
        "&lol4;",
    ),
    "quadratic blowup": with_prologue(f'<!DOCTYPE q [<!ENTITY a "{"x" * 50_000}">]>', "&a;" * 200),
    "external entity file://": with_prologue(
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"
    ),
    "external entity http://": with_prologue(
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/evil">]>', "&xxe;"
    ),
    "parameter entity": with_prologue(
        '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>', "&exfil;"
    ),
    "external DTD": with_prologue('<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">'),
    "public DTD": with_prologue('<!DOCTYPE x PUBLIC "-//EVIL//DTD X//EN" "file:///etc/passwd">'),
    "DOCTYPE after 5 KB of comment": with_prologue(
        "<!--" + "x" * 5000 + '-->\n<!DOCTYPE x SYSTEM "file:///etc/passwd">'
    ),
    "DOCTYPE in UTF-7": LOOP.replace('encoding="UTF-8"', 'encoding="UTF-7"').replace(
        DEFINITIONS,
        "+ADw-!DOCTYPE x +AFs-+ADw-!ENTITY xxe SYSTEM +ACI-file:///etc/passwd+ACI-+AD4-+AF0-+AD4-\n"
        + DEFINITIONS,
        1,
    ),
}


def xinclude() -> str:
    return LOOP.replace('xmlns:bpmn="', 'xmlns:xi="http://www.w3.org/2001/XInclude" xmlns:bpmn="', 1).replace(
        "<bpmn:endEvent",
        '<bpmn:documentation><xi:include href="file:///etc/passwd" parse="text"/></bpmn:documentation>\n    <bpmn:endEvent',
        1,
    )


def deep(levels: int) -> str:
    return LOOP.replace("</bpmn:process>", "<x>" * levels + "</x>" * levels + "</bpmn:process>", 1)


def lint(api, files: dict[str, str]):  # type: ignore[no-untyped-def]
    return api("analyst").post("/api/designer/lint/", {"files": files}, format="json")


def deploy(api, files: dict[str, str]):  # type: ignore[no-untyped-def]
    uploads = [SimpleUploadedFile(name, text.encode("utf-8")) for name, text in files.items()]
    return api("analyst").post("/api/process-definitions/", {"files": uploads}, format="multipart")


def lint_problems(api, files: dict[str, str]) -> list[dict]:  # type: ignore[no-untyped-def]
    response = lint(api, files)
    assert response.status_code == 200, response.content
    assert PASSWD not in response.content.decode()
    return response.json()["problems"]


@pytest.mark.usefixtures("no_shared_flows")  # nothing deployed before
@pytest.mark.parametrize("case", list(HOSTILE_XML))
def test_entity_tricks_are_refused_by_the_lint_and_the_deploy(api, cast, case):
    files = {"loop.bpmn": HOSTILE_XML[case], "work.schema.json": WORK_FORM}
    began = time.monotonic()
    refusal = "encoding" if case == "DOCTYPE in UTF-7" else "DOCTYPE"  # libxml2 reads no UTF-7
    problems = lint_problems(api, files)
    assert problems and refusal in problems[0]["message"], problems
    response = deploy(api, files)
    assert response.status_code == 400, response.content
    assert refusal in response.json()["problems"][0]["message"]
    assert PASSWD not in response.content.decode()
    assert time.monotonic() - began < 10  # nothing was expanded or fetched
    assert not ProcessVersion.objects.exists()


def test_an_xinclude_is_not_followed(api, cast):
    files = {"loop.bpmn": xinclude(), "work.schema.json": WORK_FORM}
    lint_problems(api, files)  # refused or not: /etc/passwd is not read into it
    response = deploy(api, files)
    assert response.status_code in (201, 400), response.content
    assert PASSWD not in response.content.decode()
    for version in ProcessVersion.objects.all():
        assert PASSWD not in str(version.spec_json) and PASSWD not in str(version.summary)
        assert all(PASSWD not in f.content for f in version.files.all())


def test_deep_nesting_is_refused_without_a_crash(api, cast):
    files = {"loop.bpmn": deep(100_000), "work.schema.json": WORK_FORM}  # ~700 KB, under the size limit
    began = time.monotonic()
    problems = lint_problems(api, files)
    assert problems and problems[0]["file"] == "loop.bpmn", problems
    assert deploy(api, files).status_code == 400
    assert time.monotonic() - began < 10


def test_a_file_at_the_size_limit_is_answered_quickly_and_one_over_it_is_refused(api, cast, settings):
    limit = settings.ANJU_MAX_UPLOAD_BYTES
    padding = "<!--" + "安" * ((limit - len(LOOP.encode()) - 100) // 3) + "-->"
    near = LOOP.replace("</bpmn:process>", padding + "</bpmn:process>", 1)
    assert limit - 400 < len(near.encode()) <= limit
    began = time.monotonic()
    assert lint(api, {"loop.bpmn": near, "work.schema.json": WORK_FORM}).status_code == 200
    assert time.monotonic() - began < 10
    over = near.replace("-->", "安" * 200 + "-->")
    response = lint(api, {"loop.bpmn": over, "work.schema.json": WORK_FORM})
    assert response.status_code == 400 and "loop.bpmn" in str(response.json()["field_errors"]["files"])


def test_many_elements_within_the_limit_are_answered_in_time(api, cast):
    flows = "".join(
        f'<bpmn:dataObject id="Data_{i}"/>' for i in range(40_000)
    )  # ~1.1 MB of harmless elements
    files = {
        "loop.bpmn": LOOP.replace("</bpmn:process>", flows + "</bpmn:process>", 1),
        "work.schema.json": WORK_FORM,
    }
    began = time.monotonic()
    response = lint(api, files)
    assert response.status_code == 200, response.content[:300]
    assert time.monotonic() - began < 30


# --- diagram code trying to leave the sandbox ------------------------------------------------

ESCAPES = [
    "rounds = ().__class__.__base__.__subclasses__()",
    "rounds = [c for c in ().__class__.__bases__[0].__subclasses__() if c.__name__ == 'Popen']",
    "import os\nrounds = os.system('id')",
    "from subprocess import run",
    "rounds = __import__('os').popen('id').read()",
    "rounds = f'{().__class__.__base__}'",
    "rounds = eval('1 + 1')",
    "rounds = (x for x in [1]).gi_frame.f_back",
    "rounds = math.__loader__",
    "rounds = __builtins__",
    "class Evil: pass",
    "global rounds\nrounds = 1",
]
RUNTIME_ONLY = [  # compile fine, refused when they run: the builtins do not exist, format is blocked
    "rounds = open('/etc/passwd').read()",
    "rounds = getattr((), '__class__')",
    "rounds = '{0.__class__}'.format(1)",  # str.format is a blocked attribute
    "rounds = type(())",
    "rounds = vars()",
    "rounds = globals()",
    "rounds = dir(math)",
]


def loop_with_script(script: str) -> dict[str, str]:
    return {
        "loop.bpmn": LOOP.replace(
            "<bpmn:script>rounds = rounds + 1</bpmn:script>", f"<bpmn:script>{_xml(script)}</bpmn:script>"
        ),
        "work.schema.json": WORK_FORM,
    }


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("script", ESCAPES)
def test_sandbox_escapes_are_named_by_the_lint_with_element_and_line(api, cast, script):
    problems = lint_problems(api, loop_with_script(script))
    assert problems and problems[0]["element_id"] == "Script_Count", problems
    assert problems[0]["line"] == 9


@pytest.mark.parametrize("script", ESCAPES)
def test_sandbox_escapes_are_refused_by_the_script_check(api, cast, script):
    response = api("analyst").post(
        "/api/designer/check-script/", {"code": script, "mode": "exec"}, format="json"
    )
    assert response.status_code == 200 and response.json()["ok"] is False, response.json()


@pytest.mark.parametrize("script", RUNTIME_ONLY)
def test_missing_builtins_fail_at_run_time(script):
    assert check_code(script) == []
    with pytest.raises((NameError, ScriptRuleError)):
        SandboxEnvironment(time_limit_s=0.2).execute(script, {"rounds": 0})


def test_a_flow_whose_script_opens_a_file_becomes_an_incident_and_reads_nothing(api, cast):
    response = deploy(api, loop_with_script("rounds = open('/etc/passwd').read()"))
    assert response.status_code == 201, response.content
    agent = api("agent")
    started = start(agent, "loop", {"rounds": 0})
    complete(agent, only_task(agent, started["id"])["id"], {"again": False})
    detail = instance(agent, started["id"])
    assert detail["status"] == "incident"
    assert "NameError" in Incident.objects.get(instance_id=started["id"]).message
    assert PASSWD not in str(detail)


def test_an_endless_loop_in_a_deployed_flow_is_stopped(api, cast):
    # `while True:` with no way out is refused at deploy (test_deploy.py); this one loops forever too
    # and only the run-time bound can stop it.
    response = deploy(api, loop_with_script("while rounds >= 0:\n    rounds = rounds + 1"))
    assert response.status_code == 201, response.content
    agent = api("agent")
    started = start(agent, "loop", {"rounds": 0})
    began = time.monotonic()
    complete(agent, only_task(agent, started["id"])["id"], {"again": False})
    assert time.monotonic() - began < 5
    assert instance(agent, started["id"])["status"] == "incident"
    assert "ScriptTimeout" in Incident.objects.get(instance_id=started["id"]).message


def test_the_script_check_refuses_oversized_code_and_nul(api, cast):
    analyst = api("analyst")
    big = analyst.post("/api/designer/check-script/", {"code": "x = 1\n" * 5000}, format="json")
    assert big.status_code == 400 and "code" in big.json()["field_errors"]
    nul = analyst.post("/api/designer/check-script/", {"code": "x = 1\x00\nimport os"}, format="json")
    assert nul.status_code == 200 and nul.json()["ok"] is False


# --- diagram code that tries to exhaust memory or time (issue 12, item 1) ---------------------

GROWTH_BOMBS = {
    "doubling": "s = 'a' * 100000\n" + "s = s + s\n" * 10,
    "join of a generator": "s = ''.join('a' * 100000 for i in range(100000))",
    "f-string": "s = 'a' * 100000\nrounds = f'{s}{s}{s}'",
    "f-string width": "rounds = f'{rounds:>1000000000}'",
    "replace": "s = 'a' * 100000\nrounds = s.replace('a', 'aaaaaaaaaa')",
    "list comprehension": "rounds = [i for i in range(100000) for j in range(10)]",
    "list of range": "rounds = list(range(10 ** 9))",
    "big int": "rounds = 10 ** 10 ** 6",
    "straight-line slow": "r = list(range(100000))\n" + "y = sorted(r, reverse=True)\n" * 1500,
    "many values": "s = 'a' * 100000\nl = []\nfor i in range(100000):\n    l.append(s.upper())",
    "task data": "s = 'a' * 100000\nrounds = [s] * 100000",
}
LIMIT_NAMES = (
    "MAX_SEQUENCE",
    "MAX_INT_BITS",
    "MAX_TASK_DATA",
    "MAX_MEMORY_GROWTH",
    "MAX_ITERATIONS",
    "time limit",
    "larger than 1000",
)


def test_a_format_bomb_is_refused_at_deploy(api, cast):
    """str.format can only fail in the sandbox, so the deploy refuses it, naming the element."""
    response = deploy(api, loop_with_script("rounds = '{:>1000000000}'.format(rounds)"))
    assert response.status_code == 400, response.content
    assert "'format' is not allowed" in response.json()["problems"][0]["message"]


@pytest.mark.parametrize("case", list(GROWTH_BOMBS))
def test_growth_and_time_bombs_in_a_running_flow_become_incidents(api, cast, case):
    import resource

    response = deploy(api, loop_with_script(GROWTH_BOMBS[case]))
    assert response.status_code == 201, response.content
    agent = api("agent")
    started = start(agent, "loop", {"rounds": 0})
    task = only_task(agent, started["id"])
    memory_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    began = time.monotonic()
    complete(agent, task["id"], {"again": False})  # asserts a 2xx: never a 500
    assert time.monotonic() - began < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - memory_before < 100 * 1024
    assert instance(agent, started["id"])["status"] == "incident"
    message = Incident.objects.get(instance_id=started["id"]).message
    assert any(name in message for name in LIMIT_NAMES), message
