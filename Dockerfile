# One image for the API (with the dashboard) and the scheduler; compose picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY fhir_mappings ./fhir_mappings
COPY alerts ./alerts
COPY dashboard ./dashboard
RUN pip install --no-cache-dir . && useradd --create-home perinatal
USER perinatal

EXPOSE 8000
CMD ["perinatal", "serve", "--host", "0.0.0.0", "--port", "8000"]
