#!/bin/sh
# tshark's own JA3 and JA3S of every ClientHello and ServerHello in every capture under captures/,
# one TSV per capture in test/tls/fixtures/tshark-ja3/ (frame, tcp stream, handshake types, ja3, ja3s;
# several values in a field are comma-separated). test/tls/fingerprints.test.ts compares ours with it.
# Needs tshark (written with TShark 4.0.17); the tests do not.
set -eu
cd "$(dirname "$0")/.."
OUT=test/tls/fixtures/tshark-ja3
mkdir -p "$OUT"
for f in captures/*.pcap captures/*.pcapng captures/*.gz; do
  name=$(basename "$f")
  extra=""
  # Implicit TLS on the submission port: tshark decodes it as SMTP unless told (MANIFEST.md).
  case "$name" in sess_smtps.pcapng) extra="-d tcp.port==587,tls" ;; esac
  # shellcheck disable=SC2086
  tshark -n -r "$f" $extra -o tcp.desegment_tcp_streams:TRUE -o tls.desegment_ssl_records:TRUE \
    -Y 'tls.handshake.type == 1 || tls.handshake.type == 2' \
    -T fields -E header=y -E separator=/t -E occurrence=a -E aggregator=, \
    -e frame.number -e tcp.stream -e tls.handshake.type -e tls.handshake.ja3 -e tls.handshake.ja3s \
    > "$OUT/$name.tsv" 2>/dev/null
done
tshark --version | head -1 > "$OUT/TSHARK-VERSION"
