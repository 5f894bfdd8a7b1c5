# auditbot: the Slack app, ingest, alert delivery and scheduled digests in one process.
#
#   docker build -t auditbot .
#   docker run -p 3000:3000 -v auditbot-data:/data \
#     -e SLACK_BOT_TOKEN=xoxb-… -e SLACK_SIGNING_SECRET=… \
#     -e ATLASSIAN_ORG_ID=… -e ATLASSIAN_API_KEY=… \
#     -e AUDITBOT_VIEWERS=S0SECTEAM -e AUDITBOT_ADMINS=U0456EFGH -e AUDITBOT_CHANNELS=C0SECOPS \
#     auditbot
#
# Every setting is an environment variable (README, "Configuration"). Worth setting here:
#   AUDITBOT_DATABASE_URL   PostgreSQL for several replicas (default: SQLite in /data, one replica)
#   AUDITBOT_STATE_SECRET   the same value on every replica (button state)
#   SLACK_APP_TOKEN         Socket Mode instead of HTTP (then no port needs publishing)
# The image listens on 3000 (POST /slack/events, GET /healthz, /readyz, /metrics), logs JSON lines
# to stdout and stops gracefully on SIGTERM.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY auditbot ./auditbot
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    AUDITBOT_DATA_DIR=/data \
    AUDITBOT_HTTP_HOST=0.0.0.0 \
    AUDITBOT_HTTP_PORT=3000 \
    AUDITBOT_LOG_FORMAT=json
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 --user-group auditbot \
    && mkdir /data \
    && chown 10001:10001 /data
USER 10001:10001
WORKDIR /home/auditbot
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=3)"]
STOPSIGNAL SIGTERM
CMD ["auditbot", "run"]
