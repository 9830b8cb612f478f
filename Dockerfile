# CNNT catalog — production image, two stages. Build: docker build -t cnnt-catalog .
# The build stage compiles wheels into a virtual environment; the runtime stage copies only
# that environment, runs as a non-root user, migrates on start and serves on port 8000.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/cnnt
WORKDIR /src
COPY pyproject.toml ./
COPY app ./app
COPY search ./search
COPY migrations ./migrations
RUN /opt/cnnt/bin/pip install .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/cnnt/bin:$PATH \
    CNNT_ENV=production \
    CNNT_DATA_DIR=/var/lib/cnnt
RUN groupadd --system cnnt \
    && useradd --system --gid cnnt --home-dir /var/lib/cnnt --shell /usr/sbin/nologin cnnt \
    && mkdir -p /var/lib/cnnt/media \
    && chown -R cnnt:cnnt /var/lib/cnnt
COPY --from=build /opt/cnnt /opt/cnnt

USER cnnt
WORKDIR /var/lib/cnnt
VOLUME ["/var/lib/cnnt"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/products?per_page=1', timeout=4)"]

CMD ["sh", "-c", "cnnt db upgrade && exec cnnt serve --host 0.0.0.0 --port 8000 --workers ${CNNT_WORKERS:-2}"]
