# Image for compose.yaml (web, worker and beat share it). Not built in CI: the
# development machines of this project have no Docker engine.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN python manage.py compile_translations
RUN useradd --create-home clamtex && mkdir -p var && chown -R clamtex var
USER clamtex
EXPOSE 8000
