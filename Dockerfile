# auditbot container image. Builds the package and runs the built-in sandbox org by default;
# the deployment settings (health checks, the Slack app entry point, a non-root data volume)
# arrive with the operations work.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY auditbot ./auditbot
RUN pip install --no-cache-dir . && useradd --create-home --uid 10001 auditbot
USER auditbot

EXPOSE 8081
CMD ["auditbot", "sandbox", "--host", "0.0.0.0", "--port", "8081"]
