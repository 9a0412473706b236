"""The Prometheus rules (deploy/prometheus) pass promtool's checks and their unit tests, and every
metric they use is one the shop exports."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "gomart-alerts.yml"


def test_the_rules_are_valid_and_their_unit_tests_pass():
    checked = subprocess.run(["promtool", "check", "rules", str(RULES)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(["promtool", "test", "rules", str(RULES.parent / "tests" / "gomart-alerts.test.yml")], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_metric_in_the_rules_is_exported_by_the_shop():
    used = set(re.findall(r"\b(gomart_[a-z_]+|hb_[a-z_]+)\b", RULES.read_text()))
    sources = "\n".join(path.read_text() for path in (ROOT / "Sources").rglob("*.swift"))
    missing = [name for name in sorted(used) if name.startswith("gomart_") and f'"{name}"' not in sources]
    assert missing == []
    assert used >= {"hb_requests", "gomart_backup_last_success_timestamp_seconds", "gomart_backup_failures_total"}
