"""Provisioning against fakes: a stand-in mmdebstrap that makes a root filesystem, and
fake items for the step-by-step driver. The real thing is tested in test_real_pythons.py."""

import json
import os
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools"
sys.path.insert(0, str(TOOLS))

import build_steps  # noqa: E402
import provision  # noqa: E402
import sandbox  # noqa: E402
import sid_root  # noqa: E402

DEB822 = """\
Types: deb
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: https://vendor.example/apt
Suites: stable
Components: main
"""


def test_archive_line_is_derived_from_the_machines_own_debian_entry():
    paragraphs = sid_root.debian_source.parse_deb822(DEB822)
    assert sid_root.archive_line(paragraphs, "bookworm") == (
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
        "http://mirror.example/debian sid main")
    one_line = sid_root.debian_source.parse_one_line("deb http://m.example/debian bookworm main\n")
    assert sid_root.archive_line(one_line, "bookworm") == "deb http://m.example/debian sid main"


def test_no_debian_entry_says_where_it_looked():
    paragraphs = sid_root.debian_source.parse_deb822(DEB822)
    with pytest.raises(sid_root.RootError) as info:
        sid_root.archive_line(paragraphs, "trixie")
    assert "no apt 'deb' entry for this Debian's own suite (trixie)" in str(info.value)
    assert "/etc/apt/sources.list.d" in str(info.value)


def test_mmdebstrap_command_asks_for_every_interpreter_and_tools():
    command = sid_root.mmdebstrap_command(Path("/x/debian-sid.partial"), "deb URI sid main")
    include = [a for a in command if a.startswith("--include=")][0].split("=", 1)[1].split(",")
    for minor in ("3.13", "3.14", "3.15"):
        assert {"python" + minor, "python%s-dbg" % minor, "python%s-dev" % minor} <= set(include)
    assert {"gcc", "gdb", "valgrind", "libc6-dev"} <= set(include)
    assert '--aptopt=Acquire::Check-Valid-Until "false"' in command
    assert command[-3:] == ["sid", "/x/debian-sid.partial", "deb URI sid main"]


@pytest.fixture
def fake_mmdebstrap(tmp_path, monkeypatch):
    """An mmdebstrap that makes DIR/usr/bin and a dpkg status listing every package, and
    counts its runs; FAKE_MMDEBSTRAP_FAIL=1 makes it stop half way with status 1."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    status = "".join("Package: %s\nVersion: 1.0-1\n\n" % p for p in sid_root.packages())
    script = bin_dir / "mmdebstrap"
    script.write_text(f"""#!/bin/sh
echo run >> {tmp_path}/mmdebstrap.runs
for last; do :; done
target=$(eval echo \\${{$(($# - 1))}})
mkdir -p "$target/usr/bin" "$target/var/lib/dpkg"
[ -n "$FAKE_MMDEBSTRAP_FAIL" ] && exit 1
cat > "$target/var/lib/dpkg/status" <<'EOF'
{status}EOF
""")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (bin_dir, os.environ["PATH"]))
    monkeypatch.setattr(sid_root, "archive_line", lambda: "deb http://m.example/debian sid main")
    return tmp_path / "mmdebstrap.runs"


def runs(counter):
    return len(counter.read_text().splitlines()) if counter.exists() else 0


def log_in(tmp_path):
    return build_steps.Log(tmp_path / "logs" / "sid.log")


def test_provision_makes_a_recorded_root_and_reuses_it(tmp_path, fake_mmdebstrap):
    pythons = tmp_path / "pythons"
    root = sid_root.provision(pythons, log_in(tmp_path))
    assert root == pythons / "debian-sid" and sid_root.is_ready(root)
    record = json.loads((root / "debugbook-root.json").read_text())
    assert record["suite"] == "sid" and record["packages"]["python3.15-dbg"] == "1.0-1"
    assert not (pythons / "debian-sid.partial").exists()
    sid_root.provision(pythons, log_in(tmp_path))
    assert runs(fake_mmdebstrap) == 1


def test_interrupted_provisioning_is_never_used_and_is_redone(tmp_path, fake_mmdebstrap,
                                                              monkeypatch):
    pythons = tmp_path / "pythons"
    monkeypatch.setenv("FAKE_MMDEBSTRAP_FAIL", "1")
    with pytest.raises(Exception):
        sid_root.provision(pythons, log_in(tmp_path))
    assert (pythons / "debian-sid.partial").exists()
    assert not sid_root.is_ready(pythons / "debian-sid")
    monkeypatch.delenv("FAKE_MMDEBSTRAP_FAIL")
    root = sid_root.provision(pythons, log_in(tmp_path))
    assert sid_root.is_ready(root) and runs(fake_mmdebstrap) == 2
    assert "left by an interrupted run" in (tmp_path / "logs" / "sid.log").read_text()


def test_a_root_without_its_record_is_made_again(tmp_path, fake_mmdebstrap):
    pythons = tmp_path / "pythons"
    (pythons / "debian-sid" / "usr" / "bin").mkdir(parents=True)
    assert not sid_root.is_ready(pythons / "debian-sid")
    sid_root.provision(pythons, log_in(tmp_path))
    assert runs(fake_mmdebstrap) == 1 and sid_root.is_ready(pythons / "debian-sid")


def test_missing_packages_are_an_error_naming_them(tmp_path, fake_mmdebstrap, monkeypatch):
    monkeypatch.setattr(sid_root, "TOOLS", sid_root.TOOLS + ("no-such-package",))
    with pytest.raises(sid_root.RootError, match="holds no no-such-package"):
        sid_root.provision(tmp_path / "pythons", log_in(tmp_path))
    assert not sid_root.is_ready(tmp_path / "pythons" / "debian-sid")


def test_sandbox_binds_shared_paths_at_the_same_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = sandbox.prefix("/roots/sid", share=(tmp_path, tmp_path / "inner"))
    assert argv[argv.index("--ro-bind") + 1:argv.index("--ro-bind") + 3] == ["/roots/sid/usr",
                                                                             "/usr"]
    assert {"--unshare-pid", "--die-with-parent"} <= set(argv)
    binds = [argv[i + 1] for i, a in enumerate(argv) if a == "--bind"]
    assert binds == ["/tmp"] + ([] if str(tmp_path).startswith("/tmp/") else [str(tmp_path)])
    assert argv[argv.index("--chdir") + 1] == str(tmp_path) and argv[-1] == "--"


def test_sandbox_without_bubblewrap_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxError, match="apt-get install bubblewrap"):
        sandbox.prefix("/roots/sid")


@pytest.fixture
def fake_items(tmp_path, monkeypatch):
    made = []
    items = [("fake", "1.0", "a", 61), ("fake", "1.0", "b", 5)]
    monkeypatch.setattr(provision, "ITEMS", items)
    monkeypatch.setattr(provision, "describe", lambda item: "item " + item[2])
    monkeypatch.setattr(provision, "is_ready", lambda item, root: item in made)
    monkeypatch.setattr(provision, "provision_item", lambda item, root: made.append(item))
    return made


def test_progress_names_each_step_of_m_and_the_usual_duration(tmp_path, fake_items, capsys):
    assert provision.provision(tmp_path) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("provisioning 2 of 2 items into %s; a first run usually takes "
                             "about 1m06s" % tmp_path)
    assert out[1].startswith("[1/2] item a (elapsed 0m00s; this step usually takes about 1m01s)")
    assert out[2].startswith("[2/2] item b (elapsed 0m0")
    assert provision.provision(tmp_path, quiet=True) == 0
    assert capsys.readouterr().out.startswith("interpreters: all 2 provisioned items present")


def test_interrupted_run_says_it_will_be_redone(tmp_path, fake_items, monkeypatch, capsys):
    def interrupted(item, root):
        raise KeyboardInterrupt
    monkeypatch.setattr(provision, "provision_item", interrupted)
    assert provision.provision(tmp_path) == 130
    assert "made again by the next 'make pythons'" in capsys.readouterr().err


def test_environments_need_only_their_items():
    names = [item[0] if item[1] is None else item[2] for item in
             provision.items_for(["py314-debug", "py315-release", "py313-asan", "py311-release"])]
    assert names == ["debian-sid", "asan"]
    assert provision.items_for(["py311-release", "py311-debug"]) == []
    with pytest.raises(ValueError, match="py310-debug"):
        provision.items_for(["py310-debug"])
