"""The monitoring files in deploy/ are sound: the Prometheus rules pass promtool's checks and their
unit tests, the SLO rules are the generator's current output, Prometheus's and Alertmanager's
configurations load and route pages to the on-call receivers, the Grafana dashboard is
well-formed, and every metric these files use is one the shop exports."""
import importlib.util
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RULES = [PROMETHEUS / "gomart-alerts.yml", PROMETHEUS / "gomart-slo.yml"]
ALERTMANAGER = ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "gomart-dashboard.json"


def run(*command):
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_rules_are_valid_and_their_unit_tests_pass():
    run("promtool", "check", "rules", *map(str, RULES))
    run("promtool", "test", "rules", *map(str, sorted((PROMETHEUS / "tests").glob("*.test.yml"))))


def test_the_slo_rules_are_the_generators_current_output():
    spec = importlib.util.spec_from_file_location("generate_slo_rules", PROMETHEUS / "generate-slo-rules.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert (PROMETHEUS / "gomart-slo.yml").read_text() == generator.render()


def test_prometheus_and_alertmanager_load_their_configurations_and_pages_reach_on_call():
    run("promtool", "check", "config", str(PROMETHEUS / "prometheus.yml"))
    run("amtool", "check-config", str(ALERTMANAGER))
    routed = lambda *labels: run("amtool", "config", "routes", "test", f"--config.file={ALERTMANAGER}", *labels).strip()  # noqa: E731
    assert routed("alertname=GoMartInstanceDown", "severity=page") == "on-call"
    assert routed("alertname=GoMartMemoryHigh", "severity=ticket") == "team"


def test_the_dashboard_is_well_formed():
    dashboard = json.loads(DASHBOARD.read_text())
    panels = dashboard["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels)
    for panel in panels:
        assert panel["targets"], panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        for target in panel["targets"]:
            expression = target["expr"]
            assert expression.count("(") == expression.count(")") and expression.count("{") == expression.count("}"), expression
    assert [variable["name"] for variable in dashboard["templating"]["list"]] == ["datasource"]


def test_every_metric_the_files_use_is_exported_by_the_shop_or_recorded_by_a_rule():
    text = "\n".join(path.read_text() for path in RULES) + DASHBOARD.read_text()
    used = set(re.findall(r"\b(gomart_[a-z_]+|hb_[a-z_]+|http_server_[a-z_]+)\b(?!:)", text))
    sources = "\n".join(path.read_text() for path in (ROOT / "Sources").rglob("*.swift"))
    # A histogram is exported as NAME_bucket, NAME_count and NAME_sum.
    exported = lambda name: any(f'"{base}"' in sources for base in (name, re.sub(r"_(bucket|count|sum)$", "", name)))  # noqa: E731
    missing = [name for name in sorted(used) if name.startswith("gomart_") and not exported(name)]
    assert missing == []
    recorded = set(re.findall(r"record: (\S+)", "\n".join(path.read_text() for path in RULES)))
    used_recordings = set(re.findall(r"\b(gomart_slo:[a-z_]+:rate\w+)\b", DASHBOARD.read_text()))
    assert used_recordings and used_recordings <= recorded
    assert used >= {"hb_requests", "http_server_request_duration_bucket", "gomart_backup_last_success_timestamp_seconds",
                    "gomart_database_errors_total", "gomart_payment_charges_total", "gomart_process_resident_memory_bytes"}
