"""deploy/ (Dockerfile, compose.yaml, Kubernetes kustomize base and overlays) checked against the project.

The manifests must validate against the Kubernetes schemas, run the command that starts the right service,
set only environment variables some Settings Struct reads (and every one a container cannot do without),
point probes and health checks at routes the apps serve, on the ports the apps listen on, and name only
files that exist. Nothing here needs Docker or a cluster; the overlays are rendered by ``kubectl kustomize``
(kustomize v4 or newer: ``tools/ensure_kubectl.sh``, run by ``make test``, says where it comes from), and
without it these tests fail rather than skip.
"""

from __future__ import annotations

import ast
import base64
import importlib
import ipaddress
import re
import secrets
import shutil
import subprocess
import tomllib
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import msgspec
import pytest
import yaml
from kubernetes_validate.utils import latest_version
from litestar.testing import TestClient

from shared.settings import DEFAULT_SECRET, BaseSettings, env_name, load_settings
from tests.unit.deploy_facts import cli_parse, dockerfile_stages, interpolate, quantity

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
OVERLAYS = sorted(p.parent.name for p in (K8S / "overlays").glob("*/kustomization.yaml"))
KUBERNETES_VERSIONS = ("1.29", latest_version())  # oldest still commonly offered by managed clusters; newest

# workload -> the careerpath command that starts it
COMMANDS = {
    "gateway": ["serve", "gateway"],
    "profile": ["serve", "profile"],
    "recommender": ["serve", "recommender"],
    "worker": ["worker"],
    "beat": ["beat"],
    "migrate": ["migrate"],
}
HTTP = ("gateway", "profile", "recommender")
AUTOSCALED = {"gateway", "recommender", "worker"}
MIGRATE_PHASE = ("careerpath.io/phase", "migrate")
# read by the server (uvicorn) under `careerpath serve`, not by a Settings Struct: none (its
# FORWARDED_ALLOW_IPS is overridden by CAREERPATH_TRUSTED_PROXIES, so setting it would only mislead)
SERVER_VARIABLES: frozenset[str] = frozenset()
# stand-ins for the Secret that production creates itself (README); dotted hosts are outside the cluster
PROD_SECRET_STANDINS = {
    "DATABASE_URL": "postgresql://careerpath:pw@db.example.com:5432/careerpath",
    "REDIS_URL": "rediss://:pw@cache.example.com:6380/0",
}


# --- what the project defines ----------------------------------------------------------------------------


def settings_class(argv: list[str]) -> type[BaseSettings] | None:
    """The Settings Struct the process starts from (None: ``migrate`` reads DATABASE_URL alone)."""
    classes = settings_classes(tuple(argv))
    return classes[0] if classes else None


@cache
def settings_classes(argv: tuple[str, ...]) -> tuple[type[BaseSettings], ...]:
    """Every Settings Struct the process reads: the one it starts from, and each ``load_settings(Cls)`` in
    its package (the profile service, say, also reads the broker's settings to enqueue refreshes)."""
    if argv[0] == "migrate":
        return ()
    found: list[type[BaseSettings]] = []
    if argv[0] == "serve":
        from tools import cli

        _, module, name = cli.SERVICES[argv[1]]
        found.append(getattr(importlib.import_module(module), name))
    package = argv[1] if argv[0] == "serve" else "worker"  # careerpath worker / beat
    for path in sorted((ROOT / "services" / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.asname or alias.name: node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            for alias in node.names
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "load_settings"
                and node.args
                and isinstance(node.args[0], ast.Name)
            ):
                name = node.args[0].id
                module = imported.get(name) or ".".join(path.relative_to(ROOT).with_suffix("").parts)
                cls = getattr(importlib.import_module(module), name)
                found += [cls] if cls not in found else []
    assert found, f"no Settings Struct found for careerpath {' '.join(argv)}"
    return tuple(found)


def allowed_names(argv: list[str]) -> set[str]:
    classes = settings_classes(tuple(argv))
    return {env_name(f) for cls in classes for f in cls.__struct_fields__} if classes else {"DATABASE_URL"}


def all_setting_names() -> set[str]:
    names: set[str] = set()
    for argv in COMMANDS.values():
        names |= allowed_names(argv)
    return names


def required_names(argv: list[str]) -> set[str]:
    """Settings whose default only works on a developer's machine: a loopback URL or the dev secret."""
    classes = settings_classes(tuple(argv))
    if not classes:
        return {"DATABASE_URL"}
    defaults = {name: value for cls in classes for name, value in msgspec.structs.asdict(cls()).items()}
    return {
        env_name(name)
        for name, value in defaults.items()
        if value == DEFAULT_SECRET
        or (isinstance(value, str) and re.search(r"://(127\.0\.0\.1|localhost)\b", value))
    }


def load_all_settings(argv: list[str], env: dict[str, str]) -> BaseSettings | None:
    """Validate ``env`` with every Settings Struct of the process (SettingsError names a bad value)."""
    loaded = [load_settings(cls, env) for cls in settings_classes(tuple(argv))]
    return loaded[0] if loaded else None


@cache
def docker() -> tuple[dict[str, str], list[Any]]:
    return dockerfile_stages(DEPLOY / "Dockerfile")


def image_user() -> int:
    args, stages = docker()
    user = stages[-1].all("USER")[-1]
    uid = re.sub(r"\$\{?(\w+)\}?", lambda m: args[m.group(1)], user).split(":")[0]
    return int(uid)


def image_argv(args: list[str] | None, command: list[str] | None = None) -> list[str]:
    """What a container of the image runs (Kubernetes ``command`` replaces ENTRYPOINT, ``args`` CMD)."""
    final = docker()[1][-1]
    return (command or final.exec_form("ENTRYPOINT")) + (args if args is not None else final.exec_form("CMD"))


def careerpath_args(argv: list[str]) -> list[str]:
    assert argv and argv[0] == "careerpath", f"{argv} does not run the careerpath command"
    return argv[1:]


def build_app(service: str, env: dict[str, str], model_dir: Path) -> Any:
    """The service's app as ``careerpath serve`` builds it from this environment (the model from the
    test session's ``model_dir`` fixture instead of the image's folder)."""
    from tools import cli

    module, _, _ = cli.SERVICES[service]
    settings = load_settings(settings_class(["serve", service]), env)
    if hasattr(settings, "model_dir"):
        settings = msgspec.structs.replace(settings, model_dir=str(model_dir))
    return importlib.import_module(module).create_app(settings)


@cache
def app_routes(service: str, model_dir: Path) -> frozenset[str]:
    return frozenset(build_app(service, {}, model_dir).route_handler_method_map)


def assert_answers(service: str, env: dict[str, str], model_dir: Path, path: str, host: str) -> None:
    """The app built from ``env`` answers ``path`` with 200 to a request carrying this Host header."""
    client = TestClient(
        build_app(service, env, model_dir)
    )  # no lifespan: /healthz needs no database or Redis
    answer = client.get(path, headers={"Host": host})
    assert answer.status_code == 200, f"{service} answers {path} for Host {host!r} with {answer.status_code}"


# --- Kubernetes ------------------------------------------------------------------------------------------


KUBECTL_MISSING = (
    "kubectl (with kustomize v4 or newer) is needed to render deploy/k8s: run tools/ensure_kubectl.sh"
)


@cache
def rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    """The resources ``kubectl kustomize`` renders for an overlay (or the base)."""
    folder = K8S / "base" if overlay == "base" else K8S / "overlays" / overlay
    kubectl = shutil.which("kubectl")
    assert kubectl is not None, KUBECTL_MISSING
    answer = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=60, check=False
    )
    assert answer.returncode == 0, f"{KUBECTL_MISSING}\n{answer.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(answer.stdout) if doc)


def kustomization_paths(folder: Path) -> list[Path]:
    """Every file a kustomization (and the ones it includes) names, resolved; missing ones included."""
    data = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8")) or {}
    paths = [folder / "kustomization.yaml"]
    for entry in data.get("resources", []):
        target = (folder / entry).resolve()
        paths.extend(kustomization_paths(target) if target.is_dir() else [target])
    paths.extend((folder / patch["path"]).resolve() for patch in data.get("patches", []))
    return paths


def objects(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in rendered(overlay) if r["kind"] == kind}


def workloads(overlay: str) -> dict[str, dict[str, Any]]:
    """careerpath's Deployments and Jobs by name."""
    found = {**objects(overlay, "Deployment"), **objects(overlay, "Job")}
    return {
        n: r
        for n, r in found.items()
        if r["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "careerpath"
        and any(c["name"] == "careerpath" for c in pod(r)["containers"])
    }


def pod(resource: dict[str, Any]) -> dict[str, Any]:
    return resource["spec"]["template"]["spec"]


def app_container(resource: dict[str, Any]) -> dict[str, Any]:
    (container,) = [c for c in pod(resource)["containers"] if c["name"] == "careerpath"]
    return container


def secret_values(overlay: str) -> dict[str, dict[str, str]]:
    values: dict[str, dict[str, str]] = {}
    for name, secret in objects(overlay, "Secret").items():
        data = {k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()}
        values[name] = {**data, **secret.get("stringData", {})}
    return values


def container_env(overlay: str, container: dict[str, Any]) -> dict[str, str]:
    """The environment the container starts with: image ENV, ConfigMaps, Secrets, explicit values."""
    configs = {n: c.get("data", {}) for n, c in objects(overlay, "ConfigMap").items()}
    secrets_ = secret_values(overlay)

    def secret(name: str, key: str) -> str:
        if name in secrets_:
            assert key in secrets_[name], f"Secret {name} has no key {key}"
            return secrets_[name][key]
        return PROD_SECRET_STANDINS.get(key, secrets.token_urlsafe(32))

    env = dict(docker()[1][-1].env())
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(configs[source["configMapRef"]["name"]])
        else:
            env.update(secrets_[source["secretRef"]["name"]])
    for item in container.get("env", []):
        ref = item.get("valueFrom", {})
        if "secretKeyRef" in ref:
            env[item["name"]] = secret(ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"])
        elif "configMapKeyRef" in ref:
            env[item["name"]] = configs[ref["configMapKeyRef"]["name"]][ref["configMapKeyRef"]["key"]]
        else:
            env[item["name"]] = item["value"]
    return env


def container_port(container: dict[str, Any], port: int | str) -> int:
    for entry in container.get("ports", []):
        if port in (entry["containerPort"], entry.get("name")):
            return int(entry["containerPort"])
    raise AssertionError(f"container {container['name']} has no port {port!r}")


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", ["base", *OVERLAYS])
def test_manifests_validate_against_kubernetes_schemas(overlay: str, version: str) -> None:
    assert len(rendered(overlay)) >= 10
    for resource in rendered(overlay):
        name = f"{resource['kind']}/{resource['metadata']['name']}"
        try:
            kubernetes_validate.validate(resource, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            pytest.fail(f"{overlay}: {name} is invalid for Kubernetes {version} at {path}: {exc.message}")


def test_schema_validation_catches_mistakes() -> None:
    deployment = msgspec.json.decode(msgspec.json.encode(workloads("prod")["gateway"]))
    app_container(deployment)["readinessProbe"]["httpGet"]["paht"] = "/readyz"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


def test_every_manifest_file_exists_and_is_used() -> None:
    used: set[Path] = set()
    for overlay in OVERLAYS:
        paths = kustomization_paths(K8S / "overlays" / overlay)
        missing = [str(p) for p in paths if not p.is_file()]
        assert not missing, f"{overlay} names missing files: {missing}"
        used |= set(paths)
    unused = sorted(str(p.relative_to(K8S)) for p in K8S.rglob("*.yaml") if p.resolve() not in used)
    assert not unused, f"manifests no overlay uses (so nothing checks them): {unused}"
    assert set(OVERLAYS) >= {"dev", "prod"}


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("workload", sorted(COMMANDS))
def test_workload_runs_the_right_command(overlay: str, workload: str) -> None:
    resource = workloads(overlay).get(workload)
    assert resource is not None, f"{overlay} has no {workload}"
    container = app_container(resource)
    argv = careerpath_args(image_argv(container.get("args"), container.get("command")))
    assert argv == COMMANDS[workload]
    parsed = cli_parse(argv)
    if argv[0] == "serve":
        assert parsed.service == workload
    assert (resource["kind"] == "Job") == (workload == "migrate")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_environment_is_what_the_settings_read(overlay: str) -> None:
    everything = all_setting_names() | SERVER_VARIABLES
    for config in objects(overlay, "ConfigMap").values():
        if config["metadata"]["name"].startswith("careerpath"):
            unknown = set(config["data"]) - everything
            assert not unknown, f"{overlay}: ConfigMap keys no Settings field reads: {unknown}"
    for name, resource in workloads(overlay).items():
        argv = COMMANDS[name]
        container = app_container(resource)
        explicit = {item["name"] for item in container.get("env", [])}
        assert not explicit - allowed_names(argv), f"{overlay}/{name} sets variables its settings do not read"
        env = container_env(overlay, container)
        missing = required_names(argv) - {k for k, v in env.items() if v}
        assert not missing, f"{overlay}/{name} would fall back to a development default for {missing}"
        settings = load_all_settings(argv, env)
        if settings is not None:
            assert settings.env == ("dev" if overlay == "dev" else "prod")
            if name in HTTP:
                assert settings.host == "0.0.0.0"


def test_prod_gateway_trusts_forwarded_addresses_from_networks_only() -> None:
    """Behind the Ingress, per-IP rate limits need the client's address from X-Forwarded-For, trusted
    only when the ingress controller (a pod network) adds it; dev (port-forward) and compose (published
    port) have no proxy and trust none. uvicorn's own FORWARDED_ALLOW_IPS is set nowhere."""
    from services.gateway.settings import GatewaySettings

    env = container_env("prod", app_container(workloads("prod")["gateway"]))
    trusted = load_settings(GatewaySettings, env).trusted_proxies
    networks = [ipaddress.ip_network(entry) for entry in trusted]
    assert networks and all(n.is_private and n.prefixlen >= 8 for n in networks)
    dev = container_env("dev", app_container(workloads("dev")["gateway"]))
    assert load_settings(GatewaySettings, dev).trusted_proxies == ()
    assert "CAREERPATH_TRUSTED_PROXIES" not in compose_env(app_services()["gateway"])
    for path in DEPLOY.rglob("*.yaml"):
        assert "FORWARDED_ALLOW_IPS" not in path.read_text(encoding="utf-8"), path


def test_serve_gives_uvicorn_the_configured_proxies_only() -> None:
    """``careerpath serve`` runs uvicorn through shared.serving.serve, which always names the trusted
    proxies (so uvicorn's FORWARDED_ALLOW_IPS default of 127.0.0.1 never applies) and the header cap."""
    import inspect

    from shared import serving
    from tools import cli

    assert "serve(app, settings)" in inspect.getsource(cli) and "uvicorn.run" not in inspect.getsource(cli)
    source = inspect.getsource(serving.serve)
    for argument in ("forwarded_allow_ips=trusted", "proxy_headers=bool(trusted)", "http=capped_protocol("):
        assert argument in source


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", HTTP)
def test_ports_probes_and_service_agree(overlay: str, service: str, model_dir: Path) -> None:
    resource = workloads(overlay)[service]
    container = app_container(resource)
    env = container_env(overlay, container)
    port = load_settings(settings_class(["serve", service]), env).port
    assert container_port(container, "http") == port
    probes = {
        kind: container[kind]["httpGet"] for kind in ("startupProbe", "readinessProbe", "livenessProbe")
    }
    assert probes["readinessProbe"]["path"] == "/readyz"
    assert probes["livenessProbe"]["path"] == "/healthz"
    for kind, probe in probes.items():
        assert container_port(container, probe["port"]) == port, f"{service} {kind} probes another port"
        assert probe["path"] in app_routes(service, model_dir), f"{service} has no route {probe['path']}"
        # the kubelet sends the pod IP unless the probe names a Host; the app must accept what is sent
        host = next(
            (h["value"] for h in probe.get("httpHeaders", []) if h["name"].lower() == "host"),
            f"10.1.2.3:{port}",
        )
        assert_answers(service, env, model_dir, "/healthz", host)
    (svc,) = [
        s
        for s in objects(overlay, "Service").values()
        if s["spec"]["selector"].items() <= resource["spec"]["template"]["metadata"]["labels"].items()
    ]
    assert svc["metadata"]["name"] == service
    assert [container_port(container, p["targetPort"]) for p in svc["spec"]["ports"]] == [port]
    assert resource["spec"]["selector"]["matchLabels"] == svc["spec"]["selector"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_in_cluster_urls_name_a_service_of_the_right_workload(overlay: str) -> None:
    services = objects(overlay, "Service")
    deployments = objects(overlay, "Deployment")
    checked = 0
    for name, resource in workloads(overlay).items():
        for key, value in container_env(overlay, app_container(resource)).items():
            if not (key.endswith("_URL") and "://" in value):
                continue
            url = urlsplit(value)
            if "." in (url.hostname or "."):
                continue  # outside the cluster (a managed database, say)
            svc = services.get(url.hostname)
            assert svc, f"{overlay}/{name}: {key} names {url.hostname}, which is no Service here"
            (target,) = [
                d
                for d in deployments.values()
                if svc["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
            ]
            if key.startswith("CAREERPATH_") and key.endswith("_URL"):
                expected = key.removeprefix("CAREERPATH_").removesuffix("_URL").lower()
                assert target["metadata"]["name"] == expected, f"{key} reaches {target['metadata']['name']}"
            ports = {p["port"]: p["targetPort"] for p in svc["spec"]["ports"]}
            assert url.port in ports, (
                f"{overlay}/{name}: {key} uses port {url.port}, Service offers {list(ports)}"
            )
            target_container = pod(target)["containers"][0]
            listening = container_port(target_container, ports[url.port])
            if target["metadata"]["name"] in HTTP:
                target_env = container_env(overlay, target_container)
                assert listening == int(target_env["CAREERPATH_PORT"])
            checked += 1
    assert checked >= 2


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_are_non_root_and_restricted(overlay: str) -> None:
    namespaces = objects(overlay, "Namespace")
    assert all(
        ns["metadata"]["labels"].get("pod-security.kubernetes.io/enforce") == "restricted"
        for ns in namespaces.values()
    ), "each namespace enforces the restricted Pod Security Standard"
    for resource in [*objects(overlay, "Deployment").values(), *objects(overlay, "Job").values()]:
        spec, name = pod(resource), resource["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert not any(spec.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")), name
        assert not any("hostPath" in v for v in spec.get("volumes", [])), name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert not context.get("privileged"), name
        if name in workloads(overlay):
            assert spec["securityContext"]["runAsUser"] == image_user() != 0
            container = app_container(resource)
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert "emptyDir" in {v["name"]: v for v in spec["volumes"]}[mounts["/tmp"]], (
                "/tmp must be writable"
            )
            assert spec.get("automountServiceAccountToken") is False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_has_requests_and_limits(overlay: str) -> None:
    for resource in [*objects(overlay, "Deployment").values(), *objects(overlay, "Job").values()]:
        for container in pod(resource)["containers"]:
            res = container["resources"]
            for kind in ("cpu", "memory"):
                request, limit = quantity(res["requests"][kind]), quantity(res["limits"][kind])
                assert 0 < request <= limit, f"{resource['metadata']['name']}: {kind} {request} > {limit}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscaling_and_a_single_beat(overlay: str) -> None:
    hpas = objects(overlay, "HorizontalPodAutoscaler")
    deployments = objects(overlay, "Deployment")
    targets = {h["spec"]["scaleTargetRef"]["name"]: h for h in hpas.values()}
    assert set(targets) == AUTOSCALED
    for name, hpa in targets.items():
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment" and name in deployments
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert "replicas" not in deployments[name]["spec"], f"{name}: the autoscaler owns the replica count"
        metrics = {m["resource"]["name"] for m in hpa["spec"]["metrics"] if m["type"] == "Resource"}
        for metric in metrics:
            assert all(metric in c["resources"]["requests"] for c in pod(deployments[name])["containers"])
    beat = deployments["beat"]["spec"]
    assert beat["replicas"] == 1
    assert beat["strategy"] == {"type": "Recreate"}, "an update must stop the old beat before the new one"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_migrate_job_can_be_applied_first(overlay: str) -> None:
    """README: ``kubectl apply -k ... -l careerpath.io/phase=migrate`` brings what the Job needs, alone."""
    key, value = MIGRATE_PHASE
    first = {
        (r["kind"], r["metadata"]["name"])
        for r in rendered(overlay)
        if r["metadata"].get("labels", {}).get(key) == value
    }
    job = workloads(overlay)["migrate"]
    assert ("Job", "migrate") in first and pod(job)["restartPolicy"] == "Never"
    needs = {("Namespace", n) for n in objects(overlay, "Namespace")}
    container = app_container(job)
    needs |= {("ConfigMap", s["configMapRef"]["name"]) for s in container.get("envFrom", [])}
    needs |= {("Secret", e["valueFrom"]["secretKeyRef"]["name"]) for e in container["env"]}
    database = urlsplit(container_env(overlay, container)["DATABASE_URL"]).hostname
    needs |= {("Service", database), ("Deployment", database)}
    present = {(r["kind"], r["metadata"]["name"]) for r in rendered(overlay)}
    assert needs & present <= first, (
        f"{overlay}: the Job's needs lack the {key} label: {(needs & present) - first}"
    )
    assert {kind for kind, _ in first} <= {"Namespace", "ConfigMap", "Secret", "Service", "Deployment", "Job"}
    assert ("Deployment", "profile") not in first, "the services roll out after the migration, not with it"


def referenced_secret_keys(overlay: str) -> set[str]:
    return {
        e["valueFrom"]["secretKeyRef"]["key"]
        for r in rendered(overlay)
        if r["kind"] in ("Deployment", "Job")
        for c in pod(r)["containers"]
        for e in c.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    }


def test_dev_secret_has_every_key_and_nothing_else() -> None:
    assert set(secret_values("dev")["careerpath-secrets"]) == referenced_secret_keys("dev")


def test_prod_secret_is_created_as_the_readme_says() -> None:
    assert "careerpath-secrets" not in objects("prod", "Secret"), (
        "applying prod must not overwrite the real Secret"
    )
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "create secret generic careerpath-secrets" in readme
    assert set(re.findall(r"--from-literal=(\w+)=", readme)) == referenced_secret_keys("prod")


def test_prod_ingress_serves_the_gateway_on_allowed_hosts(model_dir: Path) -> None:
    env = container_env("prod", app_container(workloads("prod")["gateway"]))
    ingresses = objects("prod", "Ingress").values()
    assert ingresses
    for ingress in ingresses:
        for rule in ingress["spec"]["rules"]:
            assert_answers("gateway", env, model_dir, "/", rule["host"])  # the web page, for the public name
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["name"] == "gateway"
                assert backend["port"].get("name") in {
                    p["name"] for p in objects("prod", "Service")["gateway"]["spec"]["ports"]
                }


# --- Compose ---------------------------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


@cache
def compose_variables() -> dict[str, str]:
    """deploy/.env.example with the empty (required) secrets filled, as an operator would."""
    values = {}
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip() or secrets.token_urlsafe(24)
    return values


def compose_env(service: dict[str, Any]) -> dict[str, str]:
    env = dict(docker()[1][-1].env())
    env.update(
        {k: interpolate(str(v), compose_variables()) for k, v in service.get("environment", {}).items()}
    )
    return env


# URLs of things outside the compose project: the page as people reach it, the mail server
OUTSIDE_URLS = {"CAREERPATH_PUBLIC_URL", "CAREERPATH_SMTP_URL"}


def app_services() -> dict[str, dict[str, Any]]:
    return {n: s for n, s in compose()["services"].items() if "build" in s}


def test_compose_variables_are_documented_and_required_secrets_refuse_to_be_empty() -> None:
    used: set[str] = set()
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.lstrip().startswith("#"):
            interpolate(line, compose_variables(), used)
    assert used == set(compose_variables()), "deploy/.env.example and compose.yaml name different variables"
    for secret in ("POSTGRES_PASSWORD", "CAREERPATH_SERVICE_TOKEN", "CAREERPATH_SECRET_KEY"):
        with pytest.raises(KeyError, match=secret):
            interpolate(text, {**compose_variables(), secret: ""})


@pytest.mark.parametrize("workload", sorted(COMMANDS))
def test_compose_service_runs_the_right_command_with_its_settings(workload: str) -> None:
    service = app_services().get(workload)
    assert service is not None, f"compose.yaml has no {workload}"
    argv = careerpath_args(image_argv(service["command"], service.get("entrypoint")))
    assert argv == COMMANDS[workload]
    cli_parse(argv)
    env = compose_env(service)
    names = set(service.get("environment", {}))
    assert not names - allowed_names(argv), f"{workload} sets variables its settings do not read"
    missing = required_names(argv) - {k for k, v in env.items() if v}
    assert not missing, f"{workload} would fall back to a development default for {missing}"
    load_all_settings(argv, env)
    for key, value in env.items():
        if key.endswith("_URL") and "://" in value and key not in OUTSIDE_URLS:
            url = urlsplit(value)
            assert url.hostname in compose()["services"], f"{workload}: {key} names {url.hostname}"
            if url.hostname in HTTP:
                assert url.port == int(compose_env(compose()["services"][url.hostname])["CAREERPATH_PORT"])
                assert key == env_name(f"{url.hostname}_url")
    assert service.get("read_only") is True and "/tmp" in service.get("tmpfs", [])
    if workload == "migrate":
        assert service["restart"] == "no"
    if workload == "beat":
        assert service.get("deploy", {}).get("replicas", 1) == 1 and "scale" not in service


@pytest.mark.parametrize("workload", HTTP)
def test_compose_health_checks_hit_a_served_route(workload: str, model_dir: Path) -> None:
    service = app_services()[workload]
    env = compose_env(service)
    port = load_settings(settings_class(["serve", workload]), env).port
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD"
    (url,) = [urlsplit(arg) for arg in test if arg.startswith("http://")]
    assert (
        url.port == port
        and url.path in {"/healthz", "/readyz"}
        and url.path in app_routes(workload, model_dir)
    )
    script = " ".join(test[1:])
    header = re.search(r"""["']Host["']:\s*["']([^"']+)["']""", script)
    assert_answers(workload, env, model_dir, "/healthz", header.group(1) if header else url.netloc)
    if workload == "gateway":
        published = [str(p).rsplit(":", 1) for p in service["ports"]]
        assert [int(inner) for _, inner in published] == [port]
        outer = interpolate(published[0][0], compose_variables())
        assert_answers(workload, env, model_dir, "/", f"localhost:{outer}")  # the page, as a browser asks


def test_compose_dependencies_volumes_and_build_exist() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no health check to wait for"
            elif rule["condition"] == "service_completed_successfully":
                assert services[dependency].get("restart") == "no"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (DEPLOY / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in compose().get("volumes", {}), f"{name} uses undeclared volume {source}"
        if "build" in service:
            context = DEPLOY / service["build"]["context"]
            assert (context / service["build"]["dockerfile"]).resolve() == (DEPLOY / "Dockerfile").resolve()
    assert services["profile"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for name in ("worker", "beat"):  # they record runs through profile, which owns them (after migrate)
        assert services[name]["depends_on"]["profile"]["condition"] == "service_healthy"
    assert set(services) >= {"postgres", "redis", *COMMANDS}


# --- Dockerfile and README -------------------------------------------------------------------------------


def test_dockerfile_builds_one_non_root_image_with_the_model() -> None:
    _, stages = docker()
    assert len(stages) >= 2, "multi-stage: build tools stay out of the runtime image"
    final = stages[-1]
    assert image_user() >= 1000
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert final.exec_form("ENTRYPOINT") == ["careerpath"] and "careerpath" in scripts
    cli_parse(final.exec_form("CMD"))
    names = all_setting_names()
    for stage in stages:
        unknown = {k for k in stage.env() if k.startswith("CAREERPATH_")} - names
        assert not unknown, f"Dockerfile sets variables no Settings field reads: {unknown}"
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    included = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    names_from = {s.name for s in stages}
    for stage in stages:
        for text in stage.all("COPY"):
            parts = text.split()
            flags = dict(p[2:].split("=", 1) for p in parts if p.startswith("--"))
            sources = [p for p in parts if not p.startswith("--")][:-1]
            if "from" in flags:
                assert flags["from"] in names_from
                continue
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such file"
                assert source.rstrip("/") in included, f"COPY {source} is excluded by Dockerfile.dockerignore"
    trained = [
        cli_parse(text.split()[1:]) for s in stages for text in s.all("RUN") if text.startswith("careerpath ")
    ]
    assert [n.command for n in trained] == ["train"]
    build = next(s for s in stages if any(t.startswith("careerpath train") for t in s.all("RUN")))
    model_dir = final.env()["CAREERPATH_MODEL_DIR"]
    output = trained[0].delegated
    assert output[output.index("--output-dir") + 1] == model_dir, (
        "train the model where the recommender looks"
    )
    assert f"--from={build.name} {model_dir} {model_dir}" in final.all("COPY")


def test_readme_names_only_existing_files() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"\bdeploy/[\w./-]*\w", readme))
    assert len(paths) >= 5
    missing = sorted(p for p in paths if not (ROOT / p).exists() and p != "deploy/.env")
    assert not missing, f"deploy/README.md names missing files: {missing}"
    key, value = MIGRATE_PHASE
    assert f"-l {key}={value}" in readme
    commands = re.findall(r"(?:`|-- )careerpath ([a-z][^`\n]*?)`", readme)
    assert len(commands) >= 6
    for command in commands:
        cli_parse(command.split())
