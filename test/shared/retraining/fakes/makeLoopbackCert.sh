#!/usr/bin/env bash
# Writes the self-signed certificate the fake ARM server presents on 127.0.0.1 (tls/loopback.crt, tls/loopback.key).
# Test-only: it protects nothing, and tests trust it through an https.Agent, never globally. Valid for 100 years so the
# suite needs no openssl to run; rerun this to replace it.
set -euo pipefail
cd "$(dirname "$0")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
  -subj '/CN=127.0.0.1' -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
  -keyout tls/loopback.key -out tls/loopback.crt 2>/dev/null
echo "wrote $(pwd)/tls/loopback.crt and loopback.key"
