#!/usr/bin/env bash
# Makes captures/keylog/: TLS handshakes between real `openssl s_server` and `openssl s_client` on loopback, each
# captured with dumpcap, with the NSS key log the client wrote (`-keylogfile`), for issue 23 (--keylog).
# Then writes tshark's reading of each capture given the same key log (captures/keylog/*.tshark.tsv), the
# fixtures the tests compare tlsdissect's decryption with (the tests do not need tshark).
#
# Needs: openssl (3.x), dumpcap, tshark, editcap; root or the capture capability for dumpcap on lo.
# Usage: scripts/make-keylog-captures.sh [OUTDIR]   (default captures/keylog)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../captures/keylog}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# A CA, a server certificate for localhost, a client certificate from the same CA, and one from a CA the server
# does not trust (the "refused" case).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 3650 -subj "/CN=Keylog Test CA" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key -out other-ca.pem -days 3650 -subj "/CN=Untrusted Test CA" 2>/dev/null
issue() { # name cn ca
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  printf 'subjectAltName=DNS:%s\n' "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -out "$1.pem" -days 3650 -extfile "$1.ext" 2>/dev/null
}
issue server localhost ca
issue client client.test ca
issue stranger stranger.test other-ca
# An RSA server certificate for the TLS 1.2 suites with RSA authentication.
openssl req -newkey rsa:2048 -nodes -keyout server-rsa.key -out server-rsa.csr -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' > server-rsa.ext
openssl x509 -req -in server-rsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server-rsa.pem -days 3650 -extfile server-rsa.ext 2>/dev/null

port=24400
# capture NAME "SERVER OPTIONS" "CLIENT OPTIONS"
capture() {
  local name="$1" server_opts="$2" client_opts="$3"
  port=$((port + 1))
  rm -f "$name.keys"
  dumpcap -q -i lo -f "tcp port $port" -w "$work/$name.pcapng" 2>/dev/null &
  local cap=$!
  sleep 1.5
  # shellcheck disable=SC2086
  # Its standard input stays open a while: s_server closes the connection when it reads the end of it.
  (sleep 3) | openssl s_server -accept "$port" -naccept 1 -quiet $server_opts >/dev/null 2>&1 &
  local srv=$!
  sleep 0.7
  # The client sends one line of application data (which must never be decrypted), then closes.
  # shellcheck disable=SC2086
  (sleep 0.5; echo "application data that stays secret") | timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile ca.pem -keylogfile "$name.keys" $client_opts >/dev/null 2>&1 || true
  sleep 0.7
  kill "$srv" 2>/dev/null || true
  wait "$srv" 2>/dev/null || true
  kill "$cap"
  wait "$cap" 2>/dev/null || true
  cp "$name.pcapng" "$name.keys" "$out/"
  echo "made $name ($(stat -c %s "$name.pcapng") bytes, $(wc -l < "$name.keys") key log lines)"
}

ec="-cert server.pem -key server.key"
rsa="-cert server-rsa.pem -key server-rsa.key"
capture tls13-aes128gcm "$ec -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256" "-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256"
capture tls13-aes256gcm "$ec -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384" "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384"
capture tls13-chacha20 "$ec -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256" "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256"
capture tls13-aes128ccm "$ec -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256" "-tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256"
capture tls12-gcm "$rsa -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384" "-tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384"
capture tls12-chacha20 "$rsa -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305" "-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305"
# CBC twice: with encrypt-then-MAC (OpenSSL's default, RFC 7366) and with the classic MAC-then-encrypt.
capture tls12-cbc-etm "$rsa -tls1_2 -cipher ECDHE-RSA-AES128-SHA256" "-tls1_2 -cipher ECDHE-RSA-AES128-SHA256"
capture tls12-cbc "$rsa -tls1_2 -cipher ECDHE-RSA-AES128-SHA -no_etm" "-tls1_2 -cipher ECDHE-RSA-AES128-SHA -no_etm"
# Client certificates (TLS 1.3): requested and given, required and missing, given and refused.
capture tls13-client-cert "$ec -tls1_3 -Verify 1 -CAfile ca.pem" "-tls1_3 -cert client.pem -key client.key"
capture tls13-client-cert-missing "$ec -tls1_3 -Verify 1 -CAfile ca.pem" "-tls1_3"
capture tls13-client-cert-refused "$ec -tls1_3 -Verify 1 -CAfile ca.pem -verify_return_error" "-tls1_3 -cert stranger.pem -key stranger.key"
# The key log inside the capture (a Decryption Secrets Block), as `editcap --inject-secrets` writes it.
editcap --inject-secrets "tls,$out/tls13-client-cert-missing.keys" "$out/tls13-client-cert-missing.pcapng" "$out/tls13-client-cert-missing-dsb.pcapng"
cp ca.pem "$out/ca.pem"

"$here/keylog-tshark-fixtures.sh" "$out"
