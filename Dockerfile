# syntax=docker/dockerfile:1
#
# ClusterDNS container image: a release build of `clusterdns` on debian:bookworm-slim.
#
#   docker build -t clusterdns .
#   docker run --rm -p 5353:53/udp -p 5353:53/tcp clusterdns      # serves examples/seed.yaml
#   dig @127.0.0.1 -p 5353 product-service.ecommerce.svc.cluster.local
#
# No Docker engine runs where this file was written: it was checked by reading, against the
# packages and libraries of a local Debian 12 + Swift 6.3 build (see the notes per stage), not
# by building it. BuildKit is required (default since Docker 23) for the cache mount below.

# ---- build -------------------------------------------------------------------------------
# The project is built and tested with Swift 6.3 (swift-tools-version 6.1, Swift 6 language
# mode). Bookworm, like the runtime stage, so the binary links against the same glibc.
ARG SWIFT_IMAGE=swift:6.3-bookworm
FROM ${SWIFT_IMAGE} AS build

# libldns-dev: headers + ldns.pc for the CLDNS system-library target; pkg-config reads ldns.pc;
# libcap2-bin: setcap, below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libldns-dev pkg-config libcap2-bin \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Package.resolved is not committed; `Package.*` copies it when the working tree has one.
COPY Package.* ./
# The manifest names the test targets too, and SwiftPM checks that their folders exist.
COPY Sources ./Sources
COPY Tests ./Tests

# --static-swift-stdlib links the Swift runtime and Foundation (with its ICU data) into the
# binary: the runtime image then needs no /usr/lib/swift. What stays dynamic (ldd of the same
# build made locally on Debian 12 with Swift 6.3.1): libldns.so.3 (which pulls libssl3 and
# libcrypto3), libstdc++.so.6, libgcc_s.so.1, libm, libc. The binary (~90 MB) is not stripped,
# so crash backtraces keep function names. The cache mount keeps .build (dependencies) between
# image builds, so the binary is copied out of it in the same step.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --product clusterdns --static-swift-stdlib \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/clusterdns" /out/clusterdns

# Port 53 is privileged. A file capability lets the non-root user bind it without running as
# root (the same approach as CoreDNS's image; COPY --from keeps the xattr). It is honoured only
# when the container keeps NET_BIND_SERVICE in its bounding set and does not set
# no_new_privs: Kubernetes `allowPrivilegeEscalation: false` sets it, and then the pod needs
# `capabilities.add: [NET_BIND_SERVICE]` with privilege escalation allowed, or the sysctl
# net.ipv4.ip_unprivileged_port_start=53, or `--dns 0.0.0.0:5353` with a Service targetPort of
# 5353. (Docker >= 20.10 sets ip_unprivileged_port_start=0 in containers that have their own
# network namespace, so plain
# `docker run` works either way.)
RUN setcap cap_net_bind_service=+ep /out/clusterdns

# ---- runtime -----------------------------------------------------------------------------
FROM debian:bookworm-slim

# libldns3: the wire encoder and zone-file parser at run time (depends on libssl3);
# libstdc++6: the statically linked Swift runtime still uses the system C++ library;
# ca-certificates: for TLS to a Kubernetes API server when the registry is remote.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libldns3 libstdc++6 ca-certificates \
    && rm -rf /var/lib/apt/lists/*

COPY --from=build /out/clusterdns /usr/local/bin/clusterdns
COPY zones /etc/clusterdns/zones
COPY examples /etc/clusterdns/examples

# 65532: the conventional "nonroot" id (distroless, CoreDNS); numeric so that Kubernetes
# `runAsNonRoot` can verify it without an /etc/passwd entry. It owns only its data directory.
RUN install -d -o 65532 -g 65532 -m 0750 /var/lib/clusterdns
ENV CLUSTERDNS_ZONES_DIR=/etc/clusterdns/zones \
    CLUSTERDNS_DATA_DIR=/var/lib/clusterdns
USER 65532:65532
WORKDIR /var/lib/clusterdns

EXPOSE 53/udp 53/tcp
# Listen on every interface of the container; the arguments (CMD) say what to serve and can be
# replaced, e.g. `docker run ... clusterdns --manifests /config/cluster.yaml`. A later --dns
# in CMD wins over this one (e.g. `--dns 0.0.0.0:5353` where port 53 cannot be bound).
ENTRYPOINT ["/usr/local/bin/clusterdns", "--dns", "0.0.0.0:53"]
CMD ["--manifests", "/etc/clusterdns/examples/seed.yaml"]
