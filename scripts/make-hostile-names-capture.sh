#!/bin/sh
# Makes captures/hostile-names-smtp.pcapng: one SMTP STARTTLS session on loopback whose every name is planted
# for the redaction tests (test/report/redact-planted.test.ts): a CA and a server certificate with every kind
# of subject attribute (apostrophes, commas, quotes, unicode), SAN DNS, e-mail and IP entries (the CA not
# sent: its names only in the issuer of the last certificate sent), a banner host,
# an EHLO name and an SNI. A small Python listener speaks SMTP up to STARTTLS and then TLS (OpenSSL through
# Python's ssl); the client is `openssl s_client -starttls smtp`; dumpcap captures the loopback.
# Needs openssl, python3 and dumpcap (root for the capture). Run from the repository's root.
set -eu
OUT=${1:-captures/hostile-names-smtp.pcapng}
PORT=2525
W=$(mktemp -d)
trap 'kill $LISTENER $CAPTURE 2>/dev/null || true; rm -rf "$W"' EXIT

cat > "$W/ca.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
string_mask = utf8only
utf8 = yes
x509_extensions = ext
[dn]
C = ZZ
ST = Plantedshire
L = Plantedtown
street = 7 Plantedstreet
postalCode = 99999
O = Planted Root Org\'s \"Trust\", Ltd.
OU = Plantedunit
CN = Planted Ancient Root 1999
emailAddress = ca-admin@planted-ca.example
[ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF

cat > "$W/leaf.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
string_mask = utf8only
utf8 = yes
[dn]
C = ZY
ST = Provincé Plantée
L = Ørsted-Plantby
street = 12, Rue de l\'Plantée
postalCode = PL-4242
O = plantcorp\'s Encrypt, Inc.
OU = \"Quoted Plantunit\"
title = Chief Plantologist
GN = Plantgiven
SN = Plantsurname
serialNumber = PLANTSERIAL4711
businessCategory = Plantbusiness
jurisdictionC = ZX
emailAddress = postmaster@planted-mail.example
CN = mx.planted-cn.example
CNF

cat > "$W/leaf.ext" <<'CNF'
basicConstraints = CA:FALSE
subjectAltName = DNS:mx.planted-cn.example, DNS:*.planted-wild.example, email:hostmaster@planted-san.example, IP:198.51.100.77
CNF

openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$W/ca.key" -out "$W/ca.pem" -days 3650 -config "$W/ca.cnf" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$W/leaf.key" -out "$W/leaf.csr" -config "$W/leaf.cnf" 2>/dev/null
openssl x509 -req -in "$W/leaf.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial -out "$W/leaf.pem" -days 825 -extfile "$W/leaf.ext" 2>/dev/null
# Only the server certificate is sent: the CA's names are in its issuer alone (the issuer of the last one sent).
cp "$W/leaf.pem" "$W/chain.pem"

cat > "$W/listener.py" <<'PY'
import socket, ssl, sys
w, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # TLS 1.2: the certificates are in clear on the wire
ctx.load_cert_chain(w + '/chain.pem', w + '/leaf.key')
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', port))
srv.listen(1)
open(w + '/ready', 'w').close()
c, _ = srv.accept()
f = c.makefile('rwb', buffering=0)
f.write(b'220 banner.planted-greeting.example ESMTP Plantmail\r\n')
while True:
    line = f.readline()
    if not line:
        sys.exit(0)
    cmd = line.strip().upper()
    if cmd.startswith(b'EHLO') or cmd.startswith(b'HELO'):
        f.write(b'250-banner.planted-greeting.example Hello ' + line.split()[1] + b'\r\n250-STARTTLS\r\n250 8BITMIME\r\n')
    elif cmd == b'STARTTLS':
        f.write(b'220 2.0.0 Ready to start TLS\r\n')
        break
    else:
        f.write(b'502 5.5.2 Error: command not recognized\r\n')
t = ctx.wrap_socket(c, server_side=True)
t.sendall(b'250 banner.planted-greeting.example at your service\r\n')
try:
    t.recv(1024)
except Exception:
    pass
t.close()
PY

dumpcap -q -i lo -f "tcp port $PORT" -w "$W/cap.pcapng" >/dev/null 2>&1 &
CAPTURE=$!
python3 "$W/listener.py" "$W" $PORT &
LISTENER=$!
while [ ! -e "$W/ready" ]; do sleep 0.1; done
sleep 1
printf 'QUIT\r\n' | timeout 10 openssl s_client -quiet -connect 127.0.0.1:$PORT -starttls smtp -name ehlo.planted-client.example -servername sni.planted-server.example >/dev/null 2>&1 || true
wait $LISTENER || true
sleep 1
kill -INT $CAPTURE
wait $CAPTURE || true
cp "$W/cap.pcapng" "$OUT"
echo "wrote $OUT"
