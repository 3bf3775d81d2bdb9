# The scimcheck image: the harness and the reference server in one static binary, FROM
# scratch, so building it pulls nothing. Build it in two steps, from the repository root:
#
#   CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags='-s -w' -o scimcheck .
#   docker build -t scimcheck .
#
# (.dockerignore sends nothing but that binary to the engine.) Then, for example:
#
#   docker run --rm --network host -e SCIMCHECK_TOKEN scimcheck run --target https://app.example.com/scim/v2
#   docker run --rm -p 8080:8080 -e SCIMCHECK_TOKEN=s3cret scimcheck serve --addr 0.0.0.0:8080
#
# There is no shell, no package manager and no CA bundle in the image: the binary embeds
# its CA roots (golang.org/x/crypto/x509roots/fallback) and uses them when the system has
# none. It runs as an unprivileged numeric user; scratch has no /etc/passwd to name one.
# Mount a writable directory for reports (e.g. -v "$PWD/reports:/reports" --format
# junit:/reports/junit.xml), owned by or writable for uid 65532.
FROM scratch

COPY scimcheck /scimcheck

USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/scimcheck"]
CMD ["help"]

LABEL org.opencontainers.image.title="scimcheck" \
      org.opencontainers.image.description="Does your SCIM 2.0 server survive Okta's provisioning engine?" \
      org.opencontainers.image.source="https://github.com/scimcheck/scimcheck"
