# Image for docker-compose.yml (web, worker and beat run the same image).
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt requirements.lock ./
RUN pip install --no-cache-dir -r requirements.txt -c requirements.lock
COPY . .
RUN DJANGO_ENV=production DJANGO_SECRET_KEY=build-only-not-secret-collectstatic-000000000000 \
    python manage.py collectstatic --no-input
RUN useradd --system attest && mkdir -p /var/lib/attest && chown attest /var/lib/attest
USER attest
EXPOSE 8000
