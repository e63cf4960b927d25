# syntax=docker/dockerfile:1

# orderbot: a static binary on distroless, running as the non-root user.
#
#   docker build -t orderbot .
#
# docker-compose.yml runs it with PostgreSQL and Redis.

# The build runs on the builder's own platform and cross-compiles for the target one.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
WORKDIR /src

# Dependencies first: this layer is rebuilt only when go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
ARG TARGETOS TARGETARCH
# timetzdata embeds the time zone database, so ORDERBOT_TIMEZONE works whatever the base
# image ships.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOFLAGS=-buildvcs=false \
    go build -trimpath -tags timetzdata -ldflags='-s -w' -o /out/orderbot ./cmd/orderbot
# The demo catalog (demo/catalog.csv) goes to /demo; an empty /demo when there is none.
RUN mkdir -p /out/demo && if [ -d demo ]; then cp -R demo/. /out/demo/; fi

# static-debian12 has CA certificates, tzdata, /tmp and the nonroot user (65532), no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/orderbot /orderbot
COPY --from=build /out/demo /demo
USER nonroot:nonroot
# 8080: the webhook (ORDERBOT_HTTP_ADDR); 9090: health and metrics (ORDERBOT_METRICS_ADDR).
EXPOSE 8080 9090
ENTRYPOINT ["/orderbot"]
CMD ["serve"]
