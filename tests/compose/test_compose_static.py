"""Static checks of the compose lab: they need no Docker engine, only a Compose CLI
for `config` (Debian's docker-compose 1.29 is enough), and run in CI.

Each rule is checked on the real files and, with a bad sample, shown to fail.
"""
from __future__ import annotations

import base64
import json
import re
import tomllib
from pathlib import Path

import pytest

from tests.compose import compose_checks as cc

pytestmark = pytest.mark.unit

REPO = cc.REPO
EXPECTED_PORTS = {  # service -> (host port, container port), the native defaults
    "apache": ("8080", "80"),
    "localstack": ("4566", "4566"),
    "opensearch": ("9200", "9200"),
    "dashboards": ("5601", "5601"),
    "kafka": ("9092", "29092"),  # its EXTERNAL listener; the lab's containers use kafka:9092
}
CLOUDWATCH_LAB = {"kafka", "awslogs-agent", "cloudwatch-source", "s3-sink", "cloudwatch-setup"}
LONG_RUNNING = {"apache", "localstack", "opensearch", "dashboards", "agent",
                "kafka", "awslogs-agent", "cloudwatch-source", "s3-sink"}
ONE_SHOT = {"setup", "generator", "cloudwatch-setup"}


# --- schema and structure -------------------------------------------------------------

def test_compose_config_validates(services):
    """`config` validates the file against Compose's schema and interpolates it."""
    assert set(services) == LONG_RUNNING | ONE_SHOT


def test_compose_config_rejects_an_invalid_file(tmp_path):
    bad = tmp_path / "docker-compose.yml"
    bad.write_text("services:\n  web:\n    image: httpd:2.4.65\n    ports: 8080\n    restrat: always\n")
    with pytest.raises(AssertionError, match="failed"):
        cc.compose_config(bad)


def test_generator_is_behind_its_profile(services):
    assert services["generator"]["profiles"] == ["generator"]
    assert all(not services[s].get("profiles") for s in (LONG_RUNNING | {"setup"}) - CLOUDWATCH_LAB)


def test_the_cloudwatch_lab_is_behind_its_profile(services):
    """`make up` starts none of it; `make cloudwatch-lab` starts the profile (its compose_side)."""
    from labctl import compose
    from labctl.labs.cloudwatch import compose_side

    assert {name for name, svc in services.items() if svc.get("profiles") == ["cloudwatch"]} == CLOUDWATCH_LAB
    assert compose_side.CLOUDWATCH_PROFILE == "cloudwatch" and "cloudwatch" in compose.PROFILES
    assert set(compose_side.CLOUDWATCH_STATS) == CLOUDWATCH_LAB - {"kafka", "cloudwatch-setup"}
    # both ways of starting it name exactly the profile's services (a plain `up` would start `setup` again)
    assert set(compose_side.CLOUDWATCH_SERVICES) == CLOUDWATCH_LAB
    script = (cc.REPO / "services" / "lab" / "container-lab.sh").read_text()
    assert set(script.split("cloudwatch=(", 1)[1].split(")", 1)[0].split()) == CLOUDWATCH_LAB
    # the agent's {instance_id} (its log stream, the topic's suffix) derives from this hostname
    assert services["awslogs-agent"]["hostname"] == compose_side.AWSLOGS_HOSTNAME


def test_kafka_is_apache_kafka_in_kraft_mode_with_its_data_on_a_volume(services, raw, env_file):
    kafka = services["kafka"]
    assert kafka["image"] == f"apache/kafka:{env_file['KAFKA_VERSION']}"
    assert raw["services"]["kafka"]["image"] == "apache/kafka:${KAFKA_VERSION:?set in .env}"
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller" and env["KAFKA_NODE_ID"] == "1"
    # Kafka parses the cluster id as a UUID in base64url (kafka-storage.sh random-uuid's form)
    assert len(base64.urlsafe_b64decode(env["CLUSTER_ID"] + "==")) == 16
    assert env["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data"
    assert "kafka-data:/var/lib/kafka/data" in " ".join(str(v) for v in kafka["volumes"])
    assert "kafka-data" in raw["volumes"]
    # The lab's containers use the INTERNAL listener, the host the published EXTERNAL one.
    assert "INTERNAL://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert "EXTERNAL://127.0.0.1:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    for name in ("cloudwatch-source", "s3-sink"):
        command = services[name]["command"]
        assert command[command.index("--bootstrap") + 1] == "kafka:9092", name
    # a Kafka request, not a TCP connect
    assert "kafka-broker-api-versions.sh" in " ".join(kafka["healthcheck"]["test"])


def test_the_cloudwatch_lab_keeps_its_state_on_volumes(services, raw):
    """Each process's checkpoint/state directory is a named volume, so a re-created container
    resumes (the agent's state_file, the connectors' --state-dir)."""
    mounts = {name: {str(v).split(":")[1]: str(v).split(":")[0] for v in services[name]["volumes"]}
              for name in ("awslogs-agent", "cloudwatch-source", "s3-sink")}
    assert mounts["awslogs-agent"]["/var/lib/awslogs"] == "awslogs-state"
    assert mounts["awslogs-agent"]["/var/log/httpd"] == "apache-logs"
    assert mounts["cloudwatch-source"]["/var/lib/kafka-connect"] == "cloudwatch-source-state"
    assert mounts["s3-sink"]["/var/lib/kafka-connect"] == "s3-sink-state"
    assert {"awslogs-state", "cloudwatch-source-state", "s3-sink-state"} <= set(raw["volumes"])
    from labctl.labs.cloudwatch import compose_side

    for name, stats in compose_side.CLOUDWATCH_STATS.items():  # where `make status` reads them
        command = services[name]["command"]
        assert command[command.index("--stats-file") + 1] == stats, name
    # the workshop's awslogs.conf, unchanged: its paths are the container's
    conf = (REPO / "services/cloudwatch_lab/awslogs.conf").read_text()
    assert "state_file = /var/lib/awslogs/agent-state" in conf and "file = /var/log/httpd/access_log" in conf


def test_the_override_builds_the_real_engines_from_the_verified_artefacts(env_file):
    """On podman (no registry) the override builds OpenSearch and Apache Kafka from the build
    contexts tests/compose/engine_images.py fills with the native runtime's artefacts, keeps the
    port rules and health checks, and its Dockerfiles fetch nothing but Debian's JRE."""
    from tests.compose import engine_images

    for name in ("opensearch", "kafka"):  # Compose wants the contexts to exist; filled by the e2e suite
        (engine_images.CONTEXTS / name).mkdir(parents=True, exist_ok=True)
    parsed, _ = cc.compose_config(cc.COMPOSE_FILE, REPO / "tests/compose/standins.override.yml",
                                  env={"LAB_DEBIAN_IMAGE": "localhost/clickstream-lab/debian-base:trixie"})
    services = parsed["services"]
    assert cc.port_problems(services) == []
    assert cc.healthcheck_problems(services) == []
    for name, version in (("opensearch", env_file["OPENSEARCH_VERSION"]), ("kafka", env_file["KAFKA_VERSION"])):
        assert Path(services[name]["build"]["context"]) == engine_images.CONTEXTS / name
        assert services[name]["image"].startswith(f"clickstream-lab/{name}:{version}-lab"), services[name]["image"]
        dockerfile = (engine_images.SOURCES / name / "Dockerfile").read_text()
        assert cc.dockerfile_problems(dockerfile, f"tests/compose/engines/{name}/Dockerfile") == []
        runs = " ".join(re.findall(r"^RUN (.*)$", dockerfile.replace("\\\n", " "), re.MULTILINE))
        assert "openjdk-21-jre-headless" in runs and not re.search(r"\b(pip|curl|wget|mvn)\b +(-\S+ +)*\S*://", runs)
        assert re.search(r"^USER (opensearch|kafka)$", dockerfile, re.MULTILINE), name
    assert services["dashboards"]["image"] == services["opensearch"]["image"]  # the placeholder
    kafka = services["kafka"]
    assert "kafka-healthcheck" in " ".join(kafka["healthcheck"]["test"])
    assert "kafka-data:/var/lib/kafka/data" in " ".join(str(v) for v in kafka["volumes"])
    assert "curl" in " ".join(services["opensearch"]["healthcheck"]["test"])  # docker-compose.yml's own
    assert "opensearch-data:/usr/share/opensearch/data" in " ".join(str(v) for v in services["opensearch"]["volumes"])


def test_the_kafka_images_node_is_written_by_the_native_broker_code():
    """server.properties and the JVM's arguments come from labctl.labs.cloudwatch.kafka_broker: a
    KRaft combined node, its log dirs where docker-compose.yml mounts kafka-data, advertised as
    kafka:9092, its controller on loopback."""
    from labctl.labs.cloudwatch import kafka_broker

    from tests.compose import engine_images

    text = kafka_broker.server_properties(engine_images.KAFKA_CONFIG)
    assert "process.roles=broker,controller" in text.splitlines()
    assert "log.dirs=/var/lib/kafka/data" in text.splitlines()
    assert "advertised.listeners=PLAINTEXT://kafka:9092" in text.splitlines()
    assert "listeners=PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093" in text.splitlines()
    args = kafka_broker.broker_args(engine_images.KAFKA_NODE, "512m", engine_images.KAFKA_LIBS)
    assert args[-2:] == ["kafka.Kafka", "/var/lib/kafka/server.properties"]
    assert args[args.index("-cp") + 1] == "/opt/kafka/libs/*"
    start = (engine_images.SOURCES / "kafka" / "start.sh").read_text()
    assert "@/var/lib/kafka/format.args" in start and "exec java @/var/lib/kafka/broker.args" in start


def test_every_build_context_has_its_dockerfile(services):
    for name, svc in services.items():
        build = svc.get("build")
        if not build:
            continue
        dockerfile = Path(build["context"]) / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"service {name}: {dockerfile} is missing"


# --- pinned images, versions from .env ---------------------------------------------------

def test_every_image_is_pinned(services):
    assert cc.service_image_problems(services) == []


@pytest.mark.parametrize("ref", ["opensearchproject/opensearch", "opensearchproject/opensearch:latest",
                                 "localhost:5000/lab/python", "python:slim", "${X}"])
def test_unpinned_images_are_caught(ref):
    assert cc.image_problems(ref, "sample")


@pytest.mark.parametrize("ref", ["opensearchproject/opensearch:2.19.4", "localhost:5000/lab/python:3.12.12",
                                 "python@sha256:" + "a" * 64])
def test_pinned_images_pass(ref):
    assert cc.image_problems(ref, "sample") == []


def test_service_without_image_name_is_caught():
    assert cc.service_image_problems({"x": {"build": {"context": "."}}})


def test_versions_come_from_env_file(raw, env_file):
    assert cc.raw_version_problems(raw["services"], env_file) == []
    assert cc.env_version_problems(env_file) == []


def test_literal_versions_are_caught(env_file):
    raw_services = {"a": {"image": "opensearchproject/opensearch:2.19.4"},
                    "b": {"image": "x/y:${NOT_IN_ENV}"},
                    "c": {"image": "x/y:${LAB_IMAGE_TAG}", "build": {"args": {"V": "1.2.3"}}}}
    problems = cc.raw_version_problems(raw_services, env_file)
    assert len(problems) == 3, problems
    assert cc.env_version_problems({"FOO_VERSION": "latest", "BAR_VERSION": "1.0"}) == [
        ".env: FOO_VERSION='latest' is not a pinned version"]


def test_opensearch_and_dashboards_match_the_saved_objects_version(services, env_file):
    from kibana_dashboards import DASHBOARDS_VERSION

    assert env_file["OPENSEARCH_VERSION"] == DASHBOARDS_VERSION
    assert services["opensearch"]["image"] == f"opensearchproject/opensearch:{DASHBOARDS_VERSION}"
    assert services["dashboards"]["build"]["args"]["OPENSEARCH_VERSION"] == DASHBOARDS_VERSION


def test_localstack_is_the_last_token_free_release(env_file):
    assert env_file["LOCALSTACK_VERSION"] == "4.14.0"


# --- Dockerfiles -----------------------------------------------------------------------------

def _built_services(services):
    for name, svc in services.items():
        if svc.get("build"):
            build = svc["build"]
            path = Path(build["context"]) / build.get("dockerfile", "Dockerfile")
            yield name, path, {k: str(v) for k, v in (build.get("args") or {}).items()}


def test_dockerfiles_from_lines_are_pinned(services, env_file):
    seen = set()
    for name, path, args in _built_services(services):
        if path in seen or not path.is_file():
            continue  # a missing Dockerfile is reported by its own test
        seen.add(path)
        text = path.read_text()
        assert cc.dockerfile_problems(text, str(path.relative_to(REPO)), args) == []
        # Built without compose (plain `docker build`), the ARG defaults give the
        # same base images as .env.
        assert cc.dockerfile_problems(text, str(path.relative_to(REPO))) == []
        for arg, default in cc.dockerfile_arg_defaults(text).items():
            if arg in args:
                assert default == args[arg], f"{path}: ARG {arg}={default} but .env says {args[arg]}"


def test_build_args_are_declared_by_their_dockerfiles(services):
    """A build arg the Dockerfile does not declare is silently ignored: the version
    in .env would then not be the version built."""
    for name, path, args in _built_services(services):
        if not path.is_file():
            continue
        declared = set(re.findall(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)", path.read_text(), re.MULTILINE))
        missing = set(args) - declared
        assert not missing, f"service {name}: {path.relative_to(REPO)} has no ARG {sorted(missing)}"


def test_our_dockerfiles_are_checked():
    for rel in ("services/localstack/Dockerfile", "services/setup/Dockerfile",
                "services/dashboards/Dockerfile", "tests/compose/engines/opensearch/Dockerfile",
                "tests/compose/engines/kafka/Dockerfile"):
        text = (REPO / rel).read_text()
        assert cc.dockerfile_from_images(text), rel
        assert cc.dockerfile_problems(text, rel) == []


@pytest.mark.parametrize("text", [
    "FROM python\n",
    "FROM python:latest\n",
    "ARG V=latest\nFROM localstack/localstack:${V}\n",
    "ARG V\nFROM localstack/localstack:${V}\n",
    "FROM python:3.12.12 AS build\nFROM build\nFROM alpine\n",
])
def test_unpinned_from_lines_are_caught(text):
    assert cc.dockerfile_problems(text, "sample")


def test_build_args_and_stages_are_resolved():
    text = "ARG V=4.14.0\nFROM localstack/localstack:${V} AS base\nFROM base\n"
    assert cc.dockerfile_from_images(text) == ["localstack/localstack:4.14.0"]
    assert cc.dockerfile_from_images(text, {"V": "4.13.1"}) == ["localstack/localstack:4.13.1"]


def test_localstack_image_installs_like_the_native_runtime(env_file):
    """One install path for both runtimes: the image runs native/install.sh, which
    installs localstack-core at .env's version and the extension's directory with
    LocalStack's lock as constraints (so the extension's own dependencies come in)."""
    text = (REPO / "services/localstack/Dockerfile").read_text()
    assert re.search(r"^RUN bash /opt/clickstream-lab/localstack/native/install.sh ", text, re.MULTILINE)
    assert "firehose:lab" in text and "localstack.lambda.runtime_executor" in text
    script = (REPO / "services/localstack/native/install.sh").read_text()
    assert f"'localstack-core[runtime]=={env_file['LOCALSTACK_VERSION']}'" in script
    assert re.search(r'-c "\$here/requirements-runtime-[\d.]+\.txt" \\\s*-e "\$here/extension"', script)
    ignored = (REPO / "services/localstack/.dockerignore").read_text().splitlines()
    assert not {"native/", "requirements-runtime-*.txt", "extension/"} & set(ignored)


def test_extension_declares_the_entry_points_the_image_checks(env_file):
    ext = tomllib.loads((REPO / "services/localstack/extension/pyproject.toml").read_text())
    eps = ext["project"]["entry-points"]
    assert "firehose:lab" in eps["localstack.aws.provider"]
    assert "host" in eps["localstack.lambda.runtime_executor"]


# --- ports ---------------------------------------------------------------------------------------

def test_ports_bind_to_loopback_by_default(services):
    assert cc.port_problems(services) == []


def test_default_ports_are_the_native_ones(services):
    published = cc.published_ports(services)
    for name, mapping in EXPECTED_PORTS.items():
        assert published[name] == {mapping}, name
    for name in set(services) - set(EXPECTED_PORTS):
        assert not published[name], f"{name} should publish nothing"


def test_bind_address_and_ports_follow_the_environment():
    parsed, _ = cc.compose_config(env={"LAB_BIND_ADDRESS": "0.0.0.0", "LAB_APACHE_PORT": "18080"})
    problems = cc.port_problems(parsed["services"])
    assert len(problems) == len(EXPECTED_PORTS)  # the checker sees every non-loopback port
    assert cc.port_problems(parsed["services"], allowed_host_ip="0.0.0.0") == []
    assert ("18080", "80") in cc.published_ports(parsed["services"])["apache"]


@pytest.mark.parametrize("entry", ["8080:80", "80", "0.0.0.0:8080:80", "[::]:8080:80/tcp",
                                   {"target": 80, "published": 8080},
                                   {"target": 80, "published": "8080", "host_ip": "0.0.0.0"}])
def test_non_loopback_ports_are_caught(entry):
    assert cc.port_problems({"web": {"ports": [entry]}})


@pytest.mark.parametrize("entry", ["127.0.0.1:8080:80/tcp",
                                   {"target": 80, "published": "8080", "host_ip": "127.0.0.1"}])
def test_loopback_ports_pass(entry):
    assert cc.port_problems({"web": {"ports": [entry]}}) == []


def test_raw_ports_use_the_bind_address_variable(raw):
    for name, svc in raw["services"].items():
        for entry in svc.get("ports", []):
            assert str(entry).startswith("${LAB_BIND_ADDRESS:-127.0.0.1}:"), (name, entry)


# --- health checks and dependencies ----------------------------------------------------------

def test_long_running_services_have_healthchecks(services):
    assert {n for n, s in services.items() if cc.is_one_shot(s)} == ONE_SHOT
    assert cc.healthcheck_problems(services) == []


def test_missing_or_disabled_healthchecks_are_caught():
    services = {"a": {"image": "x:1"},
                "b": {"image": "x:1", "healthcheck": {"test": ["NONE"]}},
                "c": {"image": "x:1", "healthcheck": {"disable": True, "test": ["CMD", "true"]}},
                "d": {"image": "x:1", "labels": {cc.ONE_SHOT_LABEL: "true"}, "restart": "always"}}
    assert len(cc.healthcheck_problems(services)) == 4


def test_dependencies_have_conditions(services):
    assert cc.depends_on_problems(services) == []
    assert cc.one_shot_adoption_problems(services) == []


def test_the_pipeline_starts_in_order(services):
    deps = {n: set(s.get("depends_on") or {}) for n, s in services.items()}
    assert {"localstack", "opensearch", "dashboards"} <= deps["setup"]
    assert {"setup", "apache", "localstack"} <= deps["agent"]
    assert "opensearch" in deps["dashboards"]
    assert {"apache", "localstack"} <= deps["awslogs-agent"]
    for connector in ("cloudwatch-source", "s3-sink"):
        assert {"kafka", "localstack", "cloudwatch-setup"} <= deps[connector]


def test_weak_dependencies_are_caught():
    one_shot = {"image": "x:1", "labels": {cc.ONE_SHOT_LABEL: "true"}}
    db = {"image": "x:1", "healthcheck": {"test": ["CMD", "true"]}}
    assert cc.depends_on_problems({"db": db, "app": {"depends_on": ["db"]}})
    assert cc.depends_on_problems({"db": db, "app": {"depends_on": {"db": {"condition": "service_started"}}}})
    assert cc.depends_on_problems({"init": one_shot, "app": {"depends_on": {"init": {"condition": "service_healthy"}}}})
    assert cc.depends_on_problems({"app": {"depends_on": {"ghost": {"condition": "service_healthy"}}}})
    # a one-shot nobody waits for makes `up --wait` fail
    assert cc.one_shot_adoption_problems({"init": one_shot, "db": db})
    assert cc.one_shot_adoption_problems(
        {"init": one_shot, "db": db, "app": {"depends_on": {"init": {"condition": "service_completed_successfully"}},
                                               "labels": {cc.ONE_SHOT_LABEL: "true"}}})


# --- Docker socket --------------------------------------------------------------------------------

def test_no_docker_socket_by_default(services):
    assert cc.docker_socket_problems(services) == []


def test_docker_socket_only_in_the_opt_in_override():
    parsed, _ = cc.compose_config(cc.COMPOSE_FILE, cc.LAMBDA_DOCKER_OVERRIDE)
    ls = parsed["services"]["localstack"]
    assert cc.docker_socket_problems({"localstack": ls})  # the override does mount it
    assert ls["environment"]["LAMBDA_RUNTIME_EXECUTOR"] == "docker"
    mapping = json.loads(ls["environment"]["LAMBDA_RUNTIME_IMAGE_MAPPING"])
    assert all(cc.image_problems(img, "lambda image") == [] for img in mapping.values())
    others = {n: s for n, s in parsed["services"].items() if n != "localstack"}
    assert cc.docker_socket_problems(others) == []
    assert cc.port_problems(parsed["services"]) == []
    # nothing else in the repository's compose files mentions the socket
    for path in [cc.COMPOSE_FILE, *REPO.glob("services/*/*.yml")]:
        if path != cc.LAMBDA_DOCKER_OVERRIDE:
            text = "\n".join(l for l in path.read_text().splitlines() if not l.lstrip().startswith("#"))
            assert cc.DOCKER_SOCKET not in text, path


@pytest.mark.parametrize("entry", ["/var/run/docker.sock:/var/run/docker.sock",
                                   "/run/user/1000/docker.sock:/var/run/docker.sock:ro",
                                   {"type": "bind", "source": "/var/run/docker.sock", "target": "/var/run/docker.sock"}])
def test_docker_socket_mounts_are_caught(entry):
    assert cc.docker_socket_problems({"x": {"volumes": [entry]}})


def test_privileged_is_caught():
    assert cc.docker_socket_problems({"x": {"privileged": True}})
