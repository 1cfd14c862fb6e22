# mockcdr: every vendor on one port, configured by MOCKCDR_* environment variables.
# Two stages: the first builds a virtualenv without pip (the base image's pip installs into it),
# the second copies only that virtualenv onto a fresh Python base, so the image adds the
# application and its dependencies and nothing else (no pip, no setuptools, no build tools).
# With podman, build with `--format docker`: the default OCI format drops the HEALTHCHECK.
ARG PYTHON_VERSION=3.11
# any Debian-based image with python, venv and pip (the tests build one offline, with debootstrap)
ARG BASE_IMAGE=python:${PYTHON_VERSION}-slim

FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
RUN python -m venv --without-pip /opt/venv
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY mockcdr ./mockcdr
COPY openapi ./openapi
COPY fixtures ./fixtures
RUN python -m pip --python /opt/venv/bin/python install --quiet . \
 && /opt/venv/bin/mockcdr spec --list >/dev/null \
 && ! /opt/venv/bin/python -c "import pip" 2>/dev/null

FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="mockcdr" \
      org.opencontainers.image.description="Test double of five telecom vendors' CDR-export APIs (DIDWW, Telnyx, Yeti, MOR, Yeastar)" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/mockcdr/mockcdr"
# a system user in /etc/passwd, without useradd's log files
RUN echo "mockcdr:x:10001:10001:mockcdr:/nonexistent:/usr/sbin/nologin" >>/etc/passwd \
 && echo "mockcdr:x:10001:" >>/etc/group
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MOCKCDR_HOST=0.0.0.0 \
    MOCKCDR_PORT=8080
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_mockcdr/health' % os.environ.get('MOCKCDR_PORT', '8080'), timeout=2)"]
# mockcdr is PID 1: SIGTERM (docker stop) and SIGINT end it cleanly, with exit status 0
STOPSIGNAL SIGTERM
ENTRYPOINT ["mockcdr"]
CMD ["serve"]
