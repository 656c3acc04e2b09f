FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# Pango + fonts for WeasyPrint (invoice and schedule PDFs with Polish glyphs).
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e . || true
# .dockerignore keeps secrets (.env), local databases, var/, .venv, caches and tests out.
COPY . .
RUN pip install --no-cache-dir -e . \
    && DEBUG=false SECRET_KEY=collectstatic-only-$(date +%s)-not-secret-000000000000000000 \
       MASKED_PASSWORD_PEPPER=collectstatic-only STATIC_ROOT=/srv/static \
       python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 ebok && mkdir -p /srv/media && chown -R ebok /srv/media
USER ebok
EXPOSE 8000
