# The Alliance service as a container image: small (Debian slim), runs as an unprivileged user,
# the GOV.UK Frontend assets built in a Node stage from the pinned npm packages.
#
#   docker build --build-arg ALLIANCE_COMMIT=$(git rev-parse HEAD) -t alliance .
#
# The public reference data (../shared/data beside the repository) is not in the image: mount
# it read-only at /srv/shared/data (compose.yaml does). How to run it: docs/deploy.md.

FROM node:22-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/build-assets.mjs scripts/
COPY src/alliance/common/assets src/alliance/common/assets
RUN node scripts/build-assets.mjs

FROM python:3.13-slim-bookworm AS python
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /srv/alliance
COPY pyproject.toml uv.lock README.md ./
COPY src src
RUN uv sync --frozen --no-dev --python /usr/local/bin/python3.13

FROM python:3.13-slim-bookworm
ARG ALLIANCE_COMMIT=unknown
ENV PATH=/srv/alliance/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    ALLIANCE_ENV=production \
    ALLIANCE_COMMIT=$ALLIANCE_COMMIT \
    ALLIANCE_BIND=0.0.0.0:8000 \
    ALLIANCE_VAR_DIR=/srv/var \
    ALLIANCE_KEYS_DIR=/srv/keys \
    ALLIANCE_SHARED_DATA=/srv/shared/data \
    ALLIANCE_LOG_FORMAT=json
RUN groupadd --system --gid 10001 alliance \
    && useradd --system --uid 10001 --gid alliance --home-dir /srv/alliance --no-create-home alliance \
    && mkdir -p /srv/var /srv/keys /srv/shared/data \
    && chown alliance:alliance /srv/var /srv/keys \
    && chmod 0700 /srv/keys
WORKDIR /srv/alliance
COPY --from=python /srv/alliance /srv/alliance
COPY --from=assets /build/static/dist static/dist
COPY scripts/start.sh scripts/start.sh
USER alliance
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health/', timeout=4)"]
ENTRYPOINT ["scripts/start.sh"]
CMD ["all"]
