# mockcdr: every vendor on one port, configured by MOCKCDR_* environment variables.
# Multi-stage: the virtualenv is built in the first stage and copied into a slim image.
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY mockcdr ./mockcdr
COPY openapi ./openapi
COPY fixtures ./fixtures
RUN /opt/venv/bin/pip install . && /opt/venv/bin/mockcdr spec --list >/dev/null

FROM python:${PYTHON_VERSION}-slim
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="mockcdr" \
      org.opencontainers.image.description="Test double of five telecom vendors' CDR-export APIs (DIDWW, Telnyx, Yeti, MOR, Yeastar)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/mockcdr/mockcdr"
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin mockcdr
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    MOCKCDR_HOST=0.0.0.0 \
    MOCKCDR_PORT=8080
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_mockcdr/health' % os.environ.get('MOCKCDR_PORT', '8080'), timeout=2)"]
ENTRYPOINT ["mockcdr"]
CMD ["serve"]
