"""Static checks of the deployment files, which cannot run here (no Docker engine, no cluster).

They check the invariants the deployment relies on, so that an edit cannot silently break them."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "kubernetes"


def documents():
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        found += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def by_kind(kind):
    return [doc for _, doc in documents() if doc["kind"] == kind]


def deployment(component):
    return next(d for d in by_kind("Deployment") if d["metadata"]["labels"]["app.kubernetes.io/component"] == component)


def test_dockerfile_is_multi_stage_static_non_root_with_a_health_check():
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.MULTILINE)
    assert len(stages) >= 2 and stages[0][0].startswith("swift:6")
    assert "--static-swift-stdlib" in text
    assert "-c release" in text
    user = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert user and not user[-1].startswith(("root", "0"))
    assert re.search(r"^HEALTHCHECK .*\n?.*?/health/live", text, re.MULTILINE)
    assert "COPY --from=build" in text


def test_web_runs_at_least_two_replicas_spread_across_zones():
    web = deployment("web")
    assert web["spec"]["replicas"] >= 2
    spread = web["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert any(c["topologyKey"] == "topology.kubernetes.io/zone" and c["whenUnsatisfiable"] == "DoNotSchedule" for c in spread)
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_probes_liveness_does_not_touch_the_database_and_pods_drain():
    for component in ("web", "worker"):
        container = deployment(component)["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    web = deployment("web")["spec"]["template"]["spec"]["containers"][0]
    assert "preStop" in web["lifecycle"]


def test_secrets_are_referenced_never_inlined():
    for name, doc in documents():
        assert doc["kind"] != "Secret", f"{name} inlines a Secret"
        for container in (doc.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []) or []):
            for variable in container.get("env", []):
                if variable["name"] in ("GOMART_SECRET_KEY", "GOMART_DATABASE_URL"):
                    assert "valueFrom" in variable and "secretKeyRef" in variable["valueFrom"], f"{name}: {variable['name']}"
                    assert "value" not in variable


def test_web_and_worker_run_as_the_app_role_and_the_migration_job_as_the_owner():
    def url_key(container):
        return next(v["valueFrom"]["secretKeyRef"]["key"] for v in container["env"] if v["name"] == "GOMART_DATABASE_URL")
    for component in ("web", "worker"):
        container = deployment(component)["spec"]["template"]["spec"]["containers"][0]
        assert url_key(container) == "app-url"
        assert {"name": "GOMART_AUTO_MIGRATE", "value": "false"} in container["env"]
    job = by_kind("Job")[0]
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["migrate"] and url_key(container) == "owner-url"


def test_autoscaler_and_disruption_budget_keep_the_shop_up():
    hpa = by_kind("HorizontalPodAutoscaler")[0]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "gomart-web" and hpa["spec"]["minReplicas"] >= 2
    pdb = by_kind("PodDisruptionBudget")[0]
    assert pdb["spec"]["minAvailable"] >= 1
    assert pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == "web"


def test_network_policies_only_ingress_reaches_web_and_only_the_app_reaches_postgres():
    policies = {p["metadata"]["name"]: p for p in by_kind("NetworkPolicy")}
    web = policies["gomart-web-ingress"]
    assert web["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "web"
    sources = web["spec"]["ingress"][0]["from"]
    assert all("namespaceSelector" in s for s in sources)
    postgres = policies["gomart-postgres"]
    components = {s["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for s in postgres["spec"]["ingress"][0]["from"]}
    assert components <= {"web", "worker", "migrate"} and {"web", "worker"} <= components


def test_compose_starts_postgres_migrations_two_web_instances_a_worker_and_haproxy():
    compose = yaml.safe_load((ROOT / "services" / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "migrate", "web1", "web2", "worker", "haproxy"} <= set(services)
    assert services["migrate"]["command"] == ["migrate"]
    for name in ("web1", "web2"):
        assert services[name]["command"] == ["serve", "--role", "web"]
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["worker"]["command"] == ["serve", "--role", "worker"]
    assert all("file" in secret for secret in compose["secrets"].values())
    config = (ROOT / "deploy" / "haproxy" / "haproxy.cfg").read_text()
    assert "option httpchk GET /health/ready" in config and "server web1" in config and "server web2" in config


def test_roles_script_grants_the_app_data_rights_but_no_ddl():
    sql = (ROOT / "deploy" / "postgres" / "roles.sql").read_text()
    assert "CREATE SCHEMA gomart AUTHORIZATION gomart_owner" in sql
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO gomart_app" in sql
    assert not re.search(r"GRANT\s+(ALL|CREATE)[^;]*TO gomart_app", sql)


def test_the_recommender_needs_no_database_and_reads_the_models_the_worker_writes():
    recommender = deployment("recommender")
    pod = recommender["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["args"] == ["serve", "--role", "recommender"]
    assert not any(v["name"] in ("GOMART_DATABASE_URL", "GOMART_SECRET_KEY") for v in container["env"])
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    model_dir = next(v["value"] for v in container["env"] if v["name"] == "GOMART_MODEL_DIR")
    assert {"name": "models", "mountPath": model_dir, "readOnly": True} in container["volumeMounts"]
    worker = deployment("worker")["spec"]["template"]["spec"]
    worker_container = worker["containers"][0]
    assert {"name": "GOMART_MODEL_DIR", "value": model_dir} in worker_container["env"]
    assert any(m["mountPath"] == model_dir and not m.get("readOnly") for m in worker_container["volumeMounts"])
    claims = {v["persistentVolumeClaim"]["claimName"] for spec in (pod, worker) for v in spec["volumes"]}
    assert claims == {"gomart-models"}
    assert by_kind("PersistentVolumeClaim")[0]["spec"]["accessModes"] == ["ReadWriteMany"]
    # Web pods call it through its Service; only they may.
    service = next(s for s in by_kind("Service") if s["metadata"]["name"] == "gomart-recommender")
    web_env = deployment("web")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "GOMART_RECOMMENDER_URL", "value": f"http://gomart-recommender:{service['spec']['ports'][0]['port']}"} in web_env
    policy = next(p for p in by_kind("NetworkPolicy") if p["metadata"]["name"] == "gomart-recommender")
    sources = policy["spec"]["ingress"][0]["from"]
    assert [s["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for s in sources] == ["web"]


def test_compose_runs_the_recommender_on_the_workers_models():
    services = yaml.safe_load((ROOT / "services" / "docker-compose.yml").read_text())["services"]
    recommender = services["recommender"]
    assert recommender["command"] == ["serve", "--role", "recommender"]
    assert "secrets" not in recommender and "GOMART_DATABASE_URL_FILE" not in recommender["environment"]
    model_dir = recommender["environment"]["GOMART_MODEL_DIR"]
    assert f"models:{model_dir}:ro" in recommender["volumes"]
    assert services["worker"]["environment"]["GOMART_MODEL_DIR"] == model_dir and f"models:{model_dir}" in services["worker"]["volumes"]
    for name in ("web1", "web2"):
        assert services[name]["environment"]["GOMART_RECOMMENDER_URL"] == "http://recommender:8080"
