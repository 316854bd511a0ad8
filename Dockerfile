# The project's image: every Python service of docker-compose.yaml runs from it (the Dagster
# code server, webserver and daemon, the events listener and the dashboard). It installs the
# built wheel, not the source tree. BASE_IMAGE is any Debian bookworm image with Python 3.11
# as `python`/`pip` (the stack test builds one locally, deploy/images/python).
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bike_pipeline ./bike_pipeline
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM ${BASE_IMAGE}

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DAGSTER_HOME=/opt/dagster/home \
    BIKE_PIPELINE_DAGSTER_HOME=/opt/dagster/home \
    BIKE_PIPELINE_HOME=/var/lib/bike_pipeline

WORKDIR /opt/bike_pipeline

# Dependencies first, so editing the code does not reinstall them.
COPY pyproject.toml README.md /tmp/deps/
RUN mkdir /tmp/deps/bike_pipeline && touch /tmp/deps/bike_pipeline/__init__.py \
    && pip install /tmp/deps && pip uninstall -y bike_pipeline && rm -rf /tmp/deps

COPY --from=wheel /dist /tmp/dist
RUN pip install --no-deps /tmp/dist/*.whl && rm -rf /tmp/dist
# The replication engine's numba loops compiled once into the image's cache (beside the
# installed modules, readable by the service user): every report and Dask worker started from
# the image loads them in a fraction of a second instead of compiling for ~30 s each.
RUN python -c "from bike_pipeline.simulation.fast_engine import warm_up; warm_up()"

# The default dump, read from ./data, the working directory of every service.
COPY data ./data
COPY deploy/dagster.yaml deploy/workspace.yaml /opt/dagster/home/
RUN useradd --create-home --uid 1000 bike \
    && mkdir -p /var/lib/bike_pipeline /opt/dagster/home/storage \
    && chown -R bike /var/lib/bike_pipeline /opt/dagster/home
USER bike

EXPOSE 3000 4000 8501
CMD ["bike-pipeline", "--help"]
