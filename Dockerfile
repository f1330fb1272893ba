# The portal on the embedded search backend. (Elasticsearch and PostgreSQL services come with the
# production deployment issue; see docker-compose.yml.)
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY sherloc ./sherloc
COPY corpus ./corpus
RUN pip install --no-cache-dir -e .
ENV SHERLOC_DATA_DIR=/data
EXPOSE 8000
CMD ["sherloc", "up", "--host", "0.0.0.0", "--port", "8000"]
