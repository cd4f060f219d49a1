#!/usr/bin/env bash
# tshark's reading of each capture in captures/keylog/ (and of the shipped DSB capture) given its key log: one
# line per TLS record, frame by frame, written next to the capture as NAME.tshark.tsv. The tests compare
# tlsdissect's decrypted messages and alerts with these (they do not need tshark).
# Columns: frame, TCP source port, record content type (the inner, real one once decrypted), handshake types,
# alert level, alert description.
# Usage: scripts/keylog-tshark-fixtures.sh [DIR]   (default captures/keylog)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/../captures/keylog}"
fields=(-e frame.number -e tcp.srcport -e tls.record.content_type -e tls.handshake.type -e tls.alert_message.level -e tls.alert_message.desc)
for cap in "$dir"/*.pcapng; do
  name="${cap%.pcapng}"
  keys="$name.keys"
  opts=()
  # A capture with a Decryption Secrets Block carries its keys; the others get their key log.
  [ -f "$keys" ] && opts=(-o "tls.keylog_file:$keys")
  tshark -n -r "$cap" "${opts[@]}" -Y tls -T fields -E separator=/t -E aggregator=, "${fields[@]}" > "$name.tshark.tsv"
done
shared="$here/../captures/http2-with-cookies.pcapng"
tshark -n -r "$shared" -Y tls -T fields -E separator=/t -E aggregator=, "${fields[@]}" > "$dir/http2-with-cookies.tshark.tsv"
