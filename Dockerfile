# syntax=docker/dockerfile:1
# The eservice image: one binary for `serve` (the default command), `worker`, `migrate` and the
# `tenant` / `staff` commands. Templates, stylesheet, fonts (the ID-photo watermark's too),
# messages, holidays and address data are compiled into the binary; the image adds only the CA
# certificates (TLS to PostgreSQL, S3 and SMTP) and the demo tenant folders.
#
#   docker build -t eservice .
#   docker run --rm -p 8080:8080 eservice            # embedded mode: SQLite in /var/lib/eservice
#   docker run --rm eservice migrate                 # with DATABASE_URL etc. set, see docs/operations.md
#
# The build reaches only crates.io and Debian's mirrors (besides the two base images).

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

# ---- skeleton: the workspace's manifests and an empty stand-in for every target ---------------
# Its output changes only when a Cargo.toml or Cargo.lock does, so the dependency layer below is
# reused across source-only changes.
FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS skeleton
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
COPY . .
RUN set -eu; \
    mkdir -p /skeleton; \
    cp Cargo.toml Cargo.lock /skeleton/; \
    find . -name Cargo.toml -not -path './target/*' -exec cp --parents '{}' /skeleton/ ';'; \
    cargo metadata --no-deps --format-version 1 --offline \
      | grep -o '"src_path":"[^"]*"' | cut -d'"' -f4 | sed 's|^/src/||' | sort -u >/skeleton/targets.txt; \
    while read -r target; do \
      mkdir -p "/skeleton/$(dirname "$target")"; \
      echo 'fn main() {}' >"/skeleton/$target"; \
    done </skeleton/targets.txt

# ---- build ------------------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
# 1. every dependency, compiled against the stand-ins (cached until a manifest changes)
COPY --from=skeleton /skeleton/ ./
RUN cargo build --release --locked -p eservice
# 2. the real sources; touching the targets makes cargo rebuild the workspace crates, whose
#    stand-ins may be newer than the files just copied
COPY . .
RUN set -eu; \
    xargs touch <targets.txt; \
    cargo build --release --locked -p eservice; \
    install -D -m 0755 target/release/eservice /out/eservice; \
    /out/eservice --version

# ---- runtime ----------------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# ca-certificates is left unpinned on purpose: the image should pick up the current CA bundle.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 eservice \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/eservice --no-create-home \
      --shell /usr/sbin/nologin eservice \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/eservice

COPY --from=build /out/eservice /usr/local/bin/eservice
COPY tenants/ /usr/share/eservice/tenants/

LABEL org.opencontainers.image.title="eservice" \
      org.opencontainers.image.description="Citizen e-service portals for Thai municipalities" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"

# Listen on every interface; keep the data folder (SQLite, local files and mail in the embedded
# mode) out of the working directory. Production settings come from the environment.
ENV ESERVICE_LISTEN=0.0.0.0:8080 \
    ESERVICE_DATA_DIR=/var/lib/eservice \
    ESERVICE_TENANTS_DIR=/usr/share/eservice/tenants

USER 10001:10001
WORKDIR /var/lib/eservice
EXPOSE 8080
# No HEALTHCHECK: the image has no HTTP client, and `worker` serves no HTTP. Kubernetes probes
# /healthz and /readyz (see charts/eservice).
ENTRYPOINT ["/usr/local/bin/eservice"]
CMD ["serve"]
