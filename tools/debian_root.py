"""A Debian 13 (trixie) root for the ansible-core releases this machine's Python cannot run.

    python tools/debian_root.py ensure            # make (or reuse) build/debian-13/root, print its path
    python tools/debian_root.py run [--cwd DIR] [--env NAME=VALUE ...] -- COMMAND...

ansible-core 2.20 and later need Python 3.12 or later; Debian 13 has 3.13.
``ensure`` makes the root with debootstrap (installed with apt-get when it is
missing, as root on Debian) from the Debian mirror this machine's apt already
uses, with what ansible-test needs in it (Python's venv, git, ssh-keygen), and
caches it under ``build/debian-13/root`` while its inputs (suite, packages,
this file's version of them) do not change. Before every use it refreshes what
the root borrows from this machine: the DNS resolver and the CA bundle and
package index pip is configured with here, so that pip in the root reaches the
same registry as pip outside it.

``run`` runs COMMAND chrooted in the root, in a mount namespace of its own
(``unshare --mount``) that holds ``/proc`` and ``/dev`` for it: the mounts end
with the command, nothing is left mounted, and several runs can share the root
at once. The network is this machine's (the same loopback), so an emulator
started outside the root answers inside it. The environment is clean: PATH,
HOME=/root, a UTF-8 locale and the ``--env`` values only.
"""

from __future__ import annotations

import argparse
import configparser
import os
import re
import shutil
import ssl
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITE = "trixie"
DEBIAN_ROOT = ROOT / "build" / "debian-13" / "root"
# What ansible-test and the suites need inside: Python 3.13 with venv and pip (for the bootstrap ansible-test
# seeds), git (ansible-test lists a collection's files with it), ssh-keygen (ansible-test makes a key), shellcheck
# (ansible-test sanity's shellcheck test, skipped with a warning without it).
PACKAGES = ("python3", "python3-venv", "python3-pip", "ca-certificates", "git", "openssh-client", "shellcheck")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
STAMP = ".hwcloud-tasks-root"
CA_BUNDLE = "/etc/ssl/certs/hwcloud-tasks-host-ca.crt"
PATH_IN_ROOT = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def apt_mirror(sources=None):
    """The Debian archive this machine's apt uses (not its security archive), else deb.debian.org."""
    if sources is None:
        sources = sorted(Path("/etc/apt").glob("sources.list.d/*")) + [Path("/etc/apt/sources.list")]
    for path in sources:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        # One-line format (deb URL suite ...) and deb822 (URIs: URL).
        for url in re.findall(r"^\s*(?:deb\s+(?:\[[^\]]*\]\s+)?|URIs:\s*)(\S+)", text, flags=re.MULTILINE):
            if url.rstrip("/").endswith("/debian"):
                return url.rstrip("/")
    return DEFAULT_MIRROR


def root_inputs(mirror):
    return "%s\n%s\n%s\n" % (SUITE, " ".join(PACKAGES), mirror)


def ensure_root(log=None, root=DEBIAN_ROOT):
    """The root, made when missing or made of other inputs; returns its path. Raises RuntimeError."""
    if os.geteuid() != 0:
        raise RuntimeError("the Debian root needs root: debootstrap, chroot and mounts in a namespace of its own")
    mirror = apt_mirror()
    stamp = root / STAMP
    if not (stamp.is_file() and stamp.read_text(encoding="utf-8") == root_inputs(mirror)):
        make_root(root, mirror, log)
        stamp.write_text(root_inputs(mirror), encoding="utf-8")
    bundle_pip_wheel(root)
    borrow_host_settings(root)
    return root


def bundle_pip_wheel(root):
    """Debian keeps the wheels ensurepip installs in /usr/share/python-wheels; ansible-test's pip bootstrap, as
    tools/seed_ansible_test_pip.py seeds it, looks where CPython keeps them (ensurepip/_bundled): a copy there."""
    wheels = sorted((root / "usr" / "share" / "python-wheels").glob("pip-*.whl"))
    if not wheels:
        raise RuntimeError("no pip wheel in %s/usr/share/python-wheels" % root)
    for ensurepip in (root / "usr" / "lib").glob("python3.*/ensurepip"):
        bundled = ensurepip / "_bundled"
        bundled.mkdir(exist_ok=True)
        if not (bundled / wheels[-1].name).is_file():
            shutil.copy(wheels[-1], bundled / wheels[-1].name)


def make_root(root, mirror, log):
    if shutil.which("debootstrap") is None:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise RuntimeError("debootstrap is missing: install it (Debian: apt-get install debootstrap)")
        run_checked(["apt-get", "update", "-qq"], log)
        run_checked(["apt-get", "install", "-y", "-qq", "debootstrap"], log, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    partial = root.with_name(root.name + ".making")
    for path in (partial, root):
        if path.exists():
            unmount_below(path)
            shutil.rmtree(path)
    partial.parent.mkdir(parents=True, exist_ok=True)
    run_checked(["debootstrap", "--variant=minbase", "--include=" + ",".join(PACKAGES), SUITE, str(partial), mirror], log)
    partial.rename(root)


def unmount_below(path):
    """Mounts a killed older version of this tool may have left (it uses namespaces, which leave none)."""
    with open("/proc/mounts", encoding="utf-8") as mounts:
        points = [line.split()[1] for line in mounts]
    for point in sorted((p for p in points if p.startswith(str(path) + "/")), reverse=True):
        subprocess.run(["umount", "-l", point], check=False)


def run_checked(command, log, env=None):
    if log is not None:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write("\n$ %s\n" % " ".join(command))
    with open(log or os.devnull, "ab") as handle:
        result = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, env=env, check=False)
    if result.returncode != 0:
        raise RuntimeError("%s failed (rc %d)%s" % (command[0], result.returncode, ", see %s" % log if log else ""))


def host_pip_settings():
    """(CA bundle, index URL or None) that pip uses on this machine."""
    values = {}
    for path in ("/etc/pip.conf", "/etc/xdg/pip/pip.conf", os.path.expanduser("~/.config/pip/pip.conf"), os.path.expanduser("~/.pip/pip.conf")):
        parser = configparser.ConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except configparser.Error:
            continue
        for section in ("global", "install"):
            if parser.has_section(section):
                values.update(parser.items(section))
    cert = os.environ.get("PIP_CERT") or values.get("cert") or ssl.get_default_verify_paths().cafile
    index = os.environ.get("PIP_INDEX_URL") or values.get("index-url")
    # A file:// index of this machine is not in the root.
    if index and not index.startswith(("http://", "https://")):
        index = None
    return cert, index


def borrow_host_settings(root):
    """The resolver, and pip's CA bundle and index, as this machine has them now."""
    if Path("/etc/resolv.conf").is_file():
        resolv = root / "etc" / "resolv.conf"
        if resolv.is_symlink():
            resolv.unlink()
        shutil.copy(Path("/etc/resolv.conf").resolve(), resolv)
    cert, index = host_pip_settings()
    lines = ["# Written by hwcloud.tasks tools/debian_root.py: pip as configured outside the root.", "[global]"]
    if cert and Path(cert).is_file():
        shutil.copy(cert, root / CA_BUNDLE.lstrip("/"))
        lines.append("cert = %s" % CA_BUNDLE)
    if index:
        lines.append("index-url = %s" % index)
    (root / "etc" / "pip.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")


def in_root(root, path):
    """The path inside ``root`` of the host path ``path`` (which must lie under it)."""
    return "/" + Path(path).resolve().relative_to(Path(root).resolve()).as_posix()


def run_command(root, command, cwd="/", env=None):
    """The host command that runs ``command`` in ``root`` (see ``run``)."""
    argv = ["unshare", "--mount", "--propagation", "private", sys.executable, str(Path(__file__).resolve()),
            "--root", str(root), "enter", "--cwd", cwd]
    for name, value in sorted((env or {}).items()):
        argv += ["--env", "%s=%s" % (name, value)]
    return argv + ["--"] + [str(part) for part in command]


def enter(root, command, cwd, settings):
    """In a private mount namespace already (run_command): mount /proc and /dev, chroot, exec."""
    root = str(Path(root).resolve())
    subprocess.run(["mount", "-t", "proc", "proc", root + "/proc"], check=True)
    subprocess.run(["mount", "--rbind", "/dev", root + "/dev"], check=True)
    env = {"PATH": PATH_IN_ROOT, "HOME": "/root", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env.update(settings)
    os.chroot(root)
    os.chdir(cwd)
    os.execvpe(command[0], command, env)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--root", default=str(DEBIAN_ROOT))
    commands = parser.add_subparsers(dest="action", required=True)
    commands.add_parser("ensure")
    for name in ("run", "enter"):
        sub = commands.add_parser(name)
        sub.add_argument("--cwd", default="/")
        sub.add_argument("--env", action="append", default=[])
        sub.add_argument("command", nargs="+")
    options = parser.parse_args(argv)
    root = Path(options.root)
    if options.action == "ensure":
        print(ensure_root(root=root))
        return 0
    settings = dict(item.split("=", 1) for item in options.env)
    if options.action == "enter":
        enter(root, options.command, options.cwd, settings)
    borrow_host_settings(root)
    return subprocess.run(run_command(root, options.command, options.cwd, settings), check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
