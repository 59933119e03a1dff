# The portal's image: web, worker and beat of compose.yaml run it with different commands,
# the same processes as `make serve` (Procfile). Production settings (no DJANGO_DEBUG).
# Not built in CI: the machines of this project have no container engine; CI runs the same
# production path without containers (`make smoke`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (certificates, agreements, reports) needs Pango and fonts; the PostgreSQL
# client is for backups and restores from inside the container (docs/operations.md).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .

# Translations and static files are built into the image, with the production settings.
# The secret key is a build-time placeholder: nothing is signed at build time, and the
# real key comes from the environment when a container starts.
ENV STATIC_ROOT=/app/staticfiles
RUN DJANGO_SECRET_KEY=build-time-placeholder-not-used-at-run-time-0123456789abcdef \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    sh -c "python manage.py compile_translations && python manage.py collectstatic --noinput"

# Runs as an unprivileged user; only var/ (local media when no bucket is configured, the
# Prometheus multiprocess folder) is writable.
RUN useradd --create-home --uid 10001 clamtex \
    && mkdir -p /app/var/media /app/var/prometheus \
    && chown -R clamtex:clamtex /app/var
USER clamtex

ENV HOST=0.0.0.0 PORT=8000 PROMETHEUS_MULTIPROC_DIR=/app/var/prometheus
EXPOSE 8000
# /healthz is liveness (no HTTPS redirect for the probes: SECURE_REDIRECT_EXEMPT).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import os, sys, urllib.request as u; host = os.environ.get('DJANGO_ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); sys.exit(u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4).status != 200)"
CMD ["gunicorn", "clamtex.wsgi", "--config", "clamtex/gunicorn.conf.py"]
