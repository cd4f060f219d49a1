#!/usr/bin/env bash
# Makes captures/keylog/postfix-starttls.pcapng (+ .keys): SMTP STARTTLS with a real Postfix (Debian's, an instance
# of its own on 127.0.0.1:10025 with its own configuration, spool and certificate, started and stopped here)
# and `openssl s_client -starttls smtp -keylogfile`, captured with dumpcap. Issue 23 (--keylog).
# Needs root, postfix, openssl, dumpcap, tshark. Usage: scripts/make-keylog-starttls-capture.sh [OUTDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../captures/keylog}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
d="$(mktemp -d)"
chmod 755 "$d" # Postfix's own processes read it
port=10025
mkdir -p "$d/etc" "$d/spool" "$d/data"
cp /etc/postfix/master.cf /etc/postfix/main.cf "$d/etc/"
chown postfix "$d/data"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/etc/key.pem" -out "$d/etc/cert.pem" -days 3650 -subj "/CN=mail.keylog.test" -addext "subjectAltName=DNS:mail.keylog.test" 2>/dev/null
postconf -c "$d/etc" -e "queue_directory=$d/spool" "data_directory=$d/data" "inet_interfaces=127.0.0.1" "inet_protocols=ipv4" \
  "myhostname=mail.keylog.test" "mydestination=" "compatibility_level=3.6" "maillog_file=/dev/stdout" \
  "smtpd_tls_cert_file=$d/etc/cert.pem" "smtpd_tls_key_file=$d/etc/key.pem" "smtpd_tls_security_level=may"
# The smtpd service on a port of its own, not chrooted (its spool is elsewhere).
sed -i "s/^smtp      inet  n       -       y       -       -       smtpd/$port      inet  n       -       n       -       -       smtpd/" "$d/etc/master.cf"
stop() { postfix -c "$d/etc" stop >/dev/null 2>&1 || true; rm -rf "$d"; }
trap stop EXIT
postfix -c "$d/etc" start >/dev/null
sleep 2
dumpcap -q -i lo -f "tcp port $port" -w "$d/postfix-starttls.pcapng" 2>/dev/null &
cap=$!
sleep 1.5
(sleep 1; printf 'EHLO client.keylog.test\r\n'; sleep 0.5; printf 'QUIT\r\n'; sleep 0.5) |
  timeout 10 openssl s_client -connect "127.0.0.1:$port" -starttls smtp -servername mail.keylog.test -keylogfile "$d/postfix-starttls.keys" -quiet >/dev/null 2>&1 || true
sleep 1
kill "$cap"
wait "$cap" 2>/dev/null || true
cp "$d/postfix-starttls.pcapng" "$d/postfix-starttls.keys" "$out/"
echo "made postfix-starttls ($(stat -c %s "$out/postfix-starttls.pcapng") bytes, $(wc -l < "$out/postfix-starttls.keys") key log lines)"
"$here/keylog-tshark-fixtures.sh" "$out"
