"""Directory login against a real OpenLDAP server: Debian's slapd, started here on a free port.

The directory (dc=anju,dc=example): zhangwei 张伟 in cs-agents and cs-heads, lisi 李四 in no group.
The maps: cs-heads → role 客服主管, cs-agents → work group 客服中心; new directory users join company sz.
`make test` installs slapd (make ldap-deps); without /usr/sbin/slapd these tests are skipped.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ldap
import ldap.modlist
import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import translation
from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

from webapp.accounts.models import Company, User, WorkGroup

SLAPD = Path("/usr/sbin/slapd")
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")
SUFFIX = "dc=anju,dc=example"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PW = "directory-root-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
CS_AGENTS = f"cn=cs-agents,{GROUPS}"
CS_HEADS = f"cn=cs-heads,{GROUPS}"
PASSWORD = "zhangwei-pw-2026"

SLAPD_CONF = """\
include {schema}/core.schema
include {schema}/cosine.schema
include {schema}/inetorgperson.schema
include {schema}/nis.schema
pidfile {run}/slapd.pid
argsfile {run}/slapd.args
modulepath {modules}
moduleload back_mdb
database mdb
maxsize 16777216
suffix "{suffix}"
rootdn "{rootdn}"
rootpw {rootpw}
directory {run}/data
"""


def uid_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


@dataclass
class Directory:
    uri: str

    @contextlib.contextmanager
    def admin(self) -> Iterator[ldap.ldapobject.LDAPObject]:
        conn = ldap.initialize(self.uri)
        try:
            conn.simple_bind_s(ROOT_DN, ROOT_PW)
            yield conn
        finally:
            conn.unbind_s()

    def add(self, dn: str, **attrs: str | list[str]) -> None:
        entry = {k: [v.encode() for v in ([a] if isinstance(a, str) else a)] for k, a in attrs.items()}
        with self.admin() as conn:
            conn.add_s(dn, ldap.modlist.addModlist(entry))

    def add_person(self, uid: str, cn: str, password: str, **extra: str) -> None:
        self.add(
            uid_dn(uid),
            objectClass=["inetOrgPerson"],
            uid=uid,
            cn=cn,
            sn=cn[:1],
            userPassword=password,
            **extra,
        )

    def set_member(self, group_dn: str, uid: str, member: bool) -> None:
        op = ldap.MOD_ADD if member else ldap.MOD_DELETE
        with self.admin() as conn, contextlib.suppress(ldap.TYPE_OR_VALUE_EXISTS, ldap.NO_SUCH_ATTRIBUTE):
            conn.modify_s(group_dn, [(op, "member", [uid_dn(uid).encode()])])

    def delete(self, dn: str) -> None:
        with self.admin() as conn, contextlib.suppress(ldap.NO_SUCH_OBJECT):
            conn.delete_s(dn)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # slapd must not outlive a killed test run
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _start_slapd(run: Path) -> tuple[subprocess.Popen, str]:
    """slapd in the foreground on a free port; (process, URI) once it answers a bind."""
    conf = run / "slapd.conf"
    (run / "data").mkdir()
    conf.write_text(
        SLAPD_CONF.format(
            schema=SCHEMA_DIR, modules=MODULE_DIR, run=run, suffix=SUFFIX, rootdn=ROOT_DN, rootpw=ROOT_PW
        )
    )
    log_path = run / "slapd.log"
    for _attempt in range(3):  # another process may take the free port before slapd binds it
        uri = f"ldap://127.0.0.1:{_free_port()}"
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                [str(SLAPD), "-f", str(conf), "-h", uri, "-d", "0"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,  # slapd dies with the test run
            )
        deadline = time.monotonic() + 20
        while proc.poll() is None and time.monotonic() < deadline:
            conn = ldap.initialize(uri)
            try:
                conn.simple_bind_s(ROOT_DN, ROOT_PW)
                conn.unbind_s()
                return proc, uri
            except ldap.SERVER_DOWN:
                time.sleep(0.1)
        _stop(proc)
    raise RuntimeError(f"slapd did not start; its log:\n{log_path.read_text(errors='replace')}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _load(directory: Directory) -> None:
    directory.add(SUFFIX, objectClass=["dcObject", "organization"], dc="anju", o="安居集团")
    directory.add(PEOPLE, objectClass=["organizationalUnit"], ou="people")
    directory.add(GROUPS, objectClass=["organizationalUnit"], ou="groups")
    directory.add_person(
        "zhangwei", "张伟", PASSWORD, displayName="张伟", mobile="13900139000", mail="zhangwei@anju.example"
    )
    directory.add_person("lisi", "李四", "lisi-pw-2026")  # no displayName: the display name is cn
    # groupOfNames needs a member; "staff" is a group no map names.
    for cn in ("cs-agents", "cs-heads", "staff"):
        directory.add(f"cn={cn},{GROUPS}", objectClass=["groupOfNames"], cn=cn, member=uid_dn("zhangwei"))


@pytest.fixture(scope="session")
def directory() -> Iterator[Directory]:
    """A real slapd for the whole session: a temporary slapd.conf and mdb database, removed after."""
    if not SLAPD.exists():
        pytest.skip("Debian's slapd is not installed (`make ldap-deps` installs it)")
    run = Path(tempfile.mkdtemp(prefix="anju-slapd-"))
    proc = None
    try:
        proc, uri = _start_slapd(run)
        directory = Directory(uri)
        _load(directory)
        yield directory
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(run, ignore_errors=True)


ROLE_MAP = {CS_HEADS: "客服主管"}
WORK_GROUP_MAP = {CS_AGENTS: "客服中心"}


@pytest.fixture
def directory_login(directory: Directory, cast: dict) -> Iterator[Directory]:
    """Directory login on, as webapp/settings.py turns it on from ANJU_LDAP_* (groupOfNames)."""
    cache.clear()  # no failed-login counts of earlier tests (webapp/accounts/throttle.py)
    with override_settings(
        AUTHENTICATION_BACKENDS=[
            "webapp.accounts.ldap.DirectoryBackend",
            "webapp.accounts.backends.CachedPermissionsBackend",
        ],
        AUTH_LDAP_SERVER_URI=directory.uri,
        AUTH_LDAP_BIND_DN=ROOT_DN,
        AUTH_LDAP_BIND_PASSWORD=ROOT_PW,
        AUTH_LDAP_CONNECTION_OPTIONS={ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 10},
        AUTH_LDAP_USER_SEARCH=LDAPSearch(PEOPLE, ldap.SCOPE_SUBTREE, "(uid=%(user)s)"),
        AUTH_LDAP_USER_ATTR_MAP={"display_name": "displayName", "mobile": "mobile", "email": "mail"},
        AUTH_LDAP_GROUP_TYPE=GroupOfNamesType(),
        AUTH_LDAP_GROUP_SEARCH=LDAPSearch(GROUPS, ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)"),
        ANJU_LDAP_COMPANY="sz",
        ANJU_LDAP_ROLE_MAP=ROLE_MAP,
        ANJU_LDAP_WORK_GROUP_MAP=WORK_GROUP_MAP,
    ):
        yield directory


def log_in(username: str, password: str) -> tuple[Client, object]:
    """The login page's form, posted as a browser does (with its CSRF token)."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
    )
    return client, response


def roles(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def work_groups(user: User) -> set[str]:
    return set(user.work_groups.values_list("name", flat=True))


def test_a_directory_user_logs_in_through_the_login_page_and_lands_in_the_inbox(directory_login):
    assert not User.objects.filter(username="zhangwei").exists()
    client, response = log_in("zhangwei", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    inbox = client.get("/inbox/")
    assert inbox.status_code == 200
    assert "张伟" in inbox.content.decode()
    assert client.session["_auth_user_backend"] == "webapp.accounts.ldap.DirectoryBackend"

    user = User.objects.get(username="zhangwei")
    assert user.company == Company.objects.get(code="sz")
    assert (user.display_name, user.mobile, user.email) == ("张伟", "13900139000", "zhangwei@anju.example")
    assert roles(user) == {"客服主管"}
    assert work_groups(user) == {"客服中心"}
    assert user.work_groups.get().company.code == "sz"
    assert not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()  # the directory keeps the password


def test_a_wrong_password_is_refused_with_the_login_pages_message(directory_login):
    client, response = log_in("zhangwei", "not-the-password")
    assert response.status_code == 200
    with translation.override("zh-hans"):
        message = str(AuthenticationForm.error_messages["invalid_login"]) % {
            "username": User._meta.get_field("username").verbose_name
        }
    page = response.content.decode()
    assert "alert-danger" in page
    assert message in page
    assert client.get("/inbox/").status_code == 302
    assert not User.objects.filter(username="zhangwei").exists()


def test_a_user_removed_from_a_directory_group_loses_that_role_at_the_next_login(directory_login):
    directory = directory_login
    directory.add_person("wangfang", "王芳", "wangfang-pw-2026", displayName="王芳")
    try:
        directory.set_member(CS_HEADS, "wangfang", True)
        directory.set_member(CS_AGENTS, "wangfang", True)
        assert log_in("wangfang", "wangfang-pw-2026")[1].status_code == 302
        user = User.objects.get(username="wangfang")
        assert roles(user) == {"客服主管"}
        assert work_groups(user) == {"客服中心"}
        # Given by hand (not governed by the maps): stays whatever the directory says.
        user.groups.add(Group.objects.get(name="业务分析"))
        user.work_groups.add(WorkGroup.objects.get(company=user.company, name="工程部"))

        directory.set_member(CS_HEADS, "wangfang", False)
        assert log_in("wangfang", "wangfang-pw-2026")[1].status_code == 302
        assert roles(user) == {"业务分析"}
        assert work_groups(user) == {"客服中心", "工程部"}

        directory.set_member(CS_AGENTS, "wangfang", False)
        directory.set_member(CS_HEADS, "wangfang", True)
        assert log_in("wangfang", "wangfang-pw-2026")[1].status_code == 302
        assert roles(user) == {"业务分析", "客服主管"}
        assert work_groups(user) == {"工程部"}
    finally:
        directory.set_member(CS_HEADS, "wangfang", False)
        directory.set_member(CS_AGENTS, "wangfang", False)
        directory.delete(uid_dn("wangfang"))


def test_a_directory_entry_never_takes_over_a_local_account(directory_login):
    """uid=admin in the directory does not sign anyone in as Anju's administrator (or any local user)."""
    directory = directory_login
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.has_usable_password()
    directory.add_person("admin", "冒名者", "directory-admin-pw")
    directory.add_person("agent", "冒名者", "directory-agent-pw")
    try:
        for username, password in (("admin", "directory-admin-pw"), ("agent", "directory-agent-pw")):
            client, response = log_in(username, password)
            assert response.status_code == 200  # the login page again, with its message
            assert "alert-danger" in response.content.decode()
            assert client.get("/inbox/").status_code == 302
        client, response = log_in("agent", "anju2026")  # the local password still works
        assert response.status_code == 302
        assert client.session["_auth_user_backend"] == "webapp.accounts.backends.CachedPermissionsBackend"
        assert User.objects.get(username="agent").display_name == "李娜"
    finally:
        directory.delete(uid_dn("admin"))
        directory.delete(uid_dn("agent"))


def test_a_directory_entry_never_becomes_an_owner_channel_account(directory_login):
    """owner-app-<company> (业主端, webapp/owner/actor.py) has no password: a directory uid of that
    name is refused whether or not the account exists yet."""
    from webapp.owner.actor import channel_user

    directory = directory_login
    account = channel_user(Company.objects.get(code="sz").pk)
    for name in (account.username, "owner-app-999"):
        directory.add_person(name, "冒名者", "directory-pw-2026")
        try:
            client, response = log_in(name, "directory-pw-2026")
            assert response.status_code == 200 and "alert-danger" in response.content.decode()
            assert client.get("/inbox/").status_code == 302
        finally:
            directory.delete(uid_dn(name))
    assert not User.objects.filter(username="owner-app-999").exists()


def test_form_login_of_a_demo_user_still_works_with_directory_login_on(directory_login):
    client, response = log_in("agent", "anju2026")
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    assert client.session["_auth_user_backend"] == "webapp.accounts.backends.CachedPermissionsBackend"
    assert "李娜" in client.get("/inbox/").content.decode()


def test_a_directory_user_in_no_mapped_group_logs_in_without_roles(directory_login):
    client, response = log_in("lisi", "lisi-pw-2026")
    assert response.status_code == 302
    assert client.get("/inbox/").status_code == 200
    user = User.objects.get(username="lisi")
    assert user.display_name == "李四"  # cn, as there is no displayName
    assert user.company.code == "sz"
    assert roles(user) == set()
    assert work_groups(user) == set()


def test_a_directory_user_keeps_the_company_they_have(directory_login):
    shanghai = Company.objects.get(code="sh")
    User.objects.create(username="zhangwei", company=shanghai)
    assert log_in("zhangwei", PASSWORD)[1].status_code == 302
    user = User.objects.get(username="zhangwei")
    assert user.company == shanghai
    assert list(user.work_groups.all()) == [WorkGroup.objects.get(company=shanghai, name="客服中心")]


def _settings_from(env: dict[str, str]) -> dict:
    """webapp/settings.py's directory-login settings, as a fresh process reads them from `env`."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'backends': s.AUTHENTICATION_BACKENDS,"
        " 'uri': getattr(s, 'AUTH_LDAP_SERVER_URI', None),"
        " 'user_search': [getattr(s, 'AUTH_LDAP_USER_SEARCH', None) and s.AUTH_LDAP_USER_SEARCH.base_dn,"
        "  getattr(s, 'AUTH_LDAP_USER_SEARCH', None) and s.AUTH_LDAP_USER_SEARCH.filterstr],"
        " 'group_type': type(getattr(s, 'AUTH_LDAP_GROUP_TYPE', None)).__name__,"
        " 'group_search': getattr(s, 'AUTH_LDAP_GROUP_SEARCH', None) and s.AUTH_LDAP_GROUP_SEARCH.base_dn,"
        " 'password': getattr(s, 'AUTH_LDAP_BIND_PASSWORD', None), 'role_map': s.ANJU_LDAP_ROLE_MAP}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANJU_LDAP_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "webapp.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_directory_login_is_off_unless_its_uri_is_set():
    assert _settings_from({})["backends"] == ["webapp.accounts.backends.CachedPermissionsBackend"]


def test_directory_login_settings_come_from_the_environment(tmp_path):
    secret = tmp_path / "bind-password"
    secret.write_text("s3cret\n")
    found = _settings_from(
        {
            "ANJU_LDAP_URI": "ldap://ad.anju.example",
            "ANJU_LDAP_BIND_DN": "cn=anju,ou=services,dc=anju,dc=example",
            "ANJU_LDAP_BIND_PASSWORD_FILE": str(secret),
            "ANJU_LDAP_USER_SEARCH_BASE": "ou=staff,dc=anju,dc=example",
            "ANJU_LDAP_USER_FILTER": "(sAMAccountName=%(user)s)",
            "ANJU_LDAP_GROUP_SEARCH_BASE": "ou=groups,dc=anju,dc=example",
            "ANJU_LDAP_GROUP_TYPE": "activedirectory",
            "ANJU_LDAP_ROLE_MAP": json.dumps(ROLE_MAP, ensure_ascii=False),
        }
    )
    assert found == {
        "backends": [
            "webapp.accounts.ldap.DirectoryBackend",
            "webapp.accounts.backends.CachedPermissionsBackend",
        ],
        "uri": "ldap://ad.anju.example",
        "user_search": ["ou=staff,dc=anju,dc=example", "(sAMAccountName=%(user)s)"],
        "group_type": "ActiveDirectoryGroupType",
        "group_search": "ou=groups,dc=anju,dc=example",
        "password": "s3cret",
        "role_map": ROLE_MAP,
    }
