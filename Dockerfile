# The project's image: every Python service of docker-compose.yaml runs from it (the Dagster
# code server, webserver and daemon, the events listener and the dashboard).
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DAGSTER_HOME=/opt/dagster/home \
    BIKE_PIPELINE_HOME=/var/lib/bike_pipeline

WORKDIR /opt/bike_pipeline

# Dependencies first, so editing the code does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir bike_pipeline && touch bike_pipeline/__init__.py && pip install . && pip uninstall -y bike_pipeline

# Editable: scenarios are read from data/scenarios beside the package, and the default
# dump from ./data, the working directory of every service.
COPY bike_pipeline ./bike_pipeline
COPY data ./data
RUN pip install --no-deps -e .

COPY deploy/dagster.yaml deploy/workspace.yaml /opt/dagster/home/
RUN useradd --create-home --uid 1000 bike \
    && mkdir -p /var/lib/bike_pipeline /opt/dagster/home/storage \
    && chown -R bike /var/lib/bike_pipeline /opt/dagster/home
USER bike

EXPOSE 3000 4000 8501
CMD ["bike-pipeline", "--help"]
