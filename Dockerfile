# Production image: gunicorn web, Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/caseworker
# WeasyPrint needs Pango; fonts for the PDFs; curl for the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core fonts-liberation curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --home /app caseworker \
    && mkdir -p /var/lib/caseworker && chown caseworker /var/lib/caseworker
USER caseworker
EXPOSE 8000
CMD ["gunicorn", "caseworker.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
