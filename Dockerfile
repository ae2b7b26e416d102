# talent-service: a non-root image that applies migrations on start and runs several workers.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    TALENT_ENVIRONMENT=production \
    TALENT_DATABASE_URL=sqlite:////data/talent_service.db \
    WORKERS=4

RUN useradd --create-home --uid 10001 app && mkdir /data && chown app /data
WORKDIR /app
COPY pyproject.toml README.md alembic.ini constraints.txt ./
COPY alembic ./alembic
COPY talent_service ./talent_service
# Editable install keeps alembic/ beside the package, where the migrate command finds it.
RUN pip install -c constraints.txt -e .

USER app
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["sh", "-c", "talent-service migrate && exec talent-service serve --host 0.0.0.0 --port 8000 --workers ${WORKERS}"]
