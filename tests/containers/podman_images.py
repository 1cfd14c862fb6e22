"""Podman for the container tests, on a machine with apt and PyPI but no container registry:
a Python base image made offline with debootstrap, the project image built on it, and podman's
Docker-compatible API socket. Everything is cached under build/containers/."""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("MOCKCDR_CONTAINER_CACHE", ROOT / "build" / "containers"))
RECIPE = 1                       # bump to rebuild the base image
BASE_TAG = "localhost/mockcdr-test/python-base:bookworm"
IMAGE_REPO = "localhost/mockcdr-test/mockcdr"
BASE_PACKAGES = "python3,python3-venv,python3-pip,ca-certificates"
CONTEXT = ("Dockerfile", ".dockerignore", "pyproject.toml", "README.md", "LICENSE", "mockcdr", "openapi", "fixtures")


def skip_reason() -> str | None:
    """Why the container tests cannot run here, or None."""
    if sys.platform != "linux":
        return "container tests run on Linux (podman)"
    if not shutil.which("podman"):
        return "podman is not installed (CI installs it in .ci/run: apt-get install podman)"
    if os.geteuid() != 0:
        return "container tests need root (rootful podman; debootstrap for the offline base image)"
    if not shutil.which("debootstrap") and not _exists(BASE_TAG):
        return "debootstrap is not installed (CI installs it in .ci/run), so no base image can be made"
    return None


def _env() -> dict:
    return {**os.environ, "CONTAINERS_CONF": str(containers_conf())}


def podman(*args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
    done = subprocess.run(["podman", *args], env=_env(), capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                           f"{done.stderr[-3000:]}")
    return done


def _exists(tag: str) -> bool:
    return podman("image", "exists", tag, check=False).returncode == 0


def containers_conf() -> Path:
    """runc and cgroupfs (crun refuses some hybrid cgroup hosts), ulimits a container may set."""
    CACHE.mkdir(parents=True, exist_ok=True)
    import resource

    nofile = min(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 1048576)
    nproc = min(resource.getrlimit(resource.RLIMIT_NPROC)[1], 32768)
    nofile = 1048576 if nofile < 0 else nofile
    nproc = 32768 if nproc < 0 else nproc
    runtime = 'runtime = "runc"\n' if shutil.which("runc") else ""
    text = (f'[containers]\ndefault_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]\n'
            f'[engine]\n{runtime}cgroup_manager = "cgroupfs"\nevents_logger = "file"\n')
    path = CACHE / "containers.conf"
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(path)
    return path


@contextmanager
def _locked():
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _apt_mirror() -> str:
    """The Debian mirror apt uses here (deb.debian.org otherwise)."""
    sources = [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]
    for path in sources:
        try:
            text = path.read_text()
        except OSError:
            continue
        for url in re.findall(r"(https?://\S+/debian)/?(?:\s|$)", text):
            if "security" not in url:
                return url
    return "http://deb.debian.org/debian"


def _extra_ca_certificates() -> bytes:
    """This machine's own CA certificates (a TLS-intercepting proxy's), so pip in the image trusts
    what pip here trusts."""
    folder = Path("/usr/local/share/ca-certificates")
    return b"".join(p.read_bytes() + b"\n" for p in sorted(folder.rglob("*.crt"))) if folder.is_dir() else b""


def base_image() -> str:
    """A Debian bookworm image with python3, venv and pip, from debootstrap: no registry needed."""
    stamp = f"r{RECIPE}-" + hashlib.sha256(_extra_ca_certificates()).hexdigest()[:12]
    with _locked():
        if _exists(BASE_TAG) and podman("image", "inspect", "--format",
                                        '{{index .Labels "mockcdr.test.stamp"}}', BASE_TAG).stdout.strip() == stamp:
            return BASE_TAG
        tarball = CACHE / f"python-base-bookworm-{stamp}.tar"
        if not tarball.exists():
            for old in CACHE.glob("python-base-bookworm-*.tar"):
                old.unlink()
            rootfs = CACHE / "rootfs.tmp"
            shutil.rmtree(rootfs, ignore_errors=True)
            done = subprocess.run(["debootstrap", "--variant=minbase", f"--include={BASE_PACKAGES}", "bookworm",
                                   str(rootfs), _apt_mirror()], capture_output=True, text=True, timeout=1200)
            if done.returncode != 0:
                raise RuntimeError(f"debootstrap failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
            extra = _extra_ca_certificates()
            if extra:
                with open(rootfs / "etc/ssl/certs/ca-certificates.crt", "ab") as bundle:
                    bundle.write(b"\n" + extra)
            (rootfs / "usr/local/bin/python").symlink_to("/usr/bin/python3")
            for marker in rootfs.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
                marker.unlink()
            for junk in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man",
                         "usr/share/locale", "usr/share/info"):
                for child in (rootfs / junk).glob("*"):
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child, ignore_errors=True)
                    elif child.name != "lock":
                        child.unlink(missing_ok=True)
            for name in ("etc/hostname", "etc/resolv.conf"):
                (rootfs / name).unlink(missing_ok=True)
            tmp = tarball.with_suffix(".tmp")
            subprocess.run(["tar", "--numeric-owner", "--exclude=./dev/*", "--exclude=./proc/*",
                            "--exclude=./sys/*", "-C", str(rootfs), "-cf", str(tmp), "."], check=True)
            tmp.replace(tarball)
            shutil.rmtree(rootfs, ignore_errors=True)
        podman("import", "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "--change", "ENV LANG=C.UTF-8", "--change", f"LABEL mockcdr.test.stamp={stamp}",
               "--change", 'CMD ["python3"]', str(tarball), BASE_TAG)
        return BASE_TAG


def _context_hash() -> str:
    digest = hashlib.sha256()
    for name in CONTEXT:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if path.is_dir() else [path]
        for f in files:
            digest.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def project_image() -> str:
    """The repository's Dockerfile built on the offline base (``--format docker`` keeps the
    HEALTHCHECK); rebuilt only when the build context changes."""
    base = base_image()
    base_id = podman("image", "inspect", "--format", "{{.Id}}", base).stdout.strip()[:12]
    tag = f"{IMAGE_REPO}:{_context_hash()}-{base_id}"
    with _locked():
        if not _exists(tag):
            podman("build", "--pull=never", "--format", "docker", "--build-arg", f"BASE_IMAGE={base}",
                   "-t", tag, str(ROOT), timeout=1200)
            for line in podman("images", "--format", "{{.Repository}}:{{.Tag}}", IMAGE_REPO).stdout.split():
                if line != tag:
                    podman("rmi", "-f", line, check=False)
    return tag


@contextmanager
def docker_api():
    """``podman system service`` on a socket of its own: yields its ``unix://`` URL."""
    CACHE.mkdir(parents=True, exist_ok=True)
    sock = CACHE / f"podman-{os.getpid()}.sock"
    sock.unlink(missing_ok=True)
    proc = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{sock}"], env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not sock.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"podman system service did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
        yield f"unix://{sock}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        sock.unlink(missing_ok=True)
