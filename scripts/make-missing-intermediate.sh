#!/bin/bash
# Makes captures/missing-intermediate.pcap: a real OpenSSL 3.0 server (s_server, TLS 1.2, on loopback
# 127.0.0.77:465, so tlsdissect takes it for SMTPS) configured with its certificate alone, without the
# intermediate that issued it, as a server is after a renewal that forgot the chain file. Three clients:
#   1. openssl s_client that trusts only the root: it cannot build the path and sends unknown_ca (48);
#   2. a scripted client (Python, raw socket) that reads the server's whole flight up to ServerHelloDone and
#      leaves with a RST, no alert, as some clients (and the lab's) do when they reject the certificate (with a
#      FIN, s_server answers the end of file with a decode_error alert, which then reads as the server's doing);
#   3. openssl s_client that holds the intermediate too: it completes (why only some clients fail).
# Certificates are made afresh (keys thrown away); the capture is taken with dumpcap on lo (run as root).
# Run from the repository root: scripts/make-missing-intermediate.sh [out.pcap]
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-captures/missing-intermediate.pcap}
ADDR=127.0.0.77
PORT=465
WORK=$(mktemp -d)
SERVER=; DUMP=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; [ -n "$DUMP" ] && kill -INT "$DUMP" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
cd "$WORK"
printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
printf 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:mail.missing.test\n' > leaf.ext
openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 3650 -subj "/O=Missing Lab/CN=Missing Lab Root" \
  -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout inter.key -out inter.csr -subj "/O=Missing Lab/CN=Missing Lab Issuing CA" 2>/dev/null
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -out inter.pem -days 3650 -extfile ca.ext 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj "/O=Missing Lab/CN=mail.missing.test" 2>/dev/null
openssl x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -CAcreateserial -out leaf.pem -days 825 -extfile leaf.ext 2>/dev/null
cat root.pem inter.pem > root-and-inter.pem

dumpcap -q -i lo -f "host $ADDR and tcp port $PORT" -P -w "$WORK/cap.pcap" 2>/dev/null &
DUMP=$!
# The leaf alone: no -cert_chain.
openssl s_server -quiet -accept "$ADDR:$PORT" -cert leaf.pem -key leaf.key -tls1_2 -naccept 3 >/dev/null 2>&1 < /dev/null &
SERVER=$!
sleep 2
openssl s_client -connect "$ADDR:$PORT" -servername mail.missing.test -CAfile root.pem -verify_return_error -tls1_2 < /dev/null > client1.txt 2>&1 || true
grep -q "unable to get local issuer certificate" client1.txt || { echo "client 1 did not fail as expected" >&2; cat client1.txt >&2; exit 1; }
sleep 1
python3 - "$ADDR" "$PORT" <<'PY'
import os, socket, struct, sys
addr, port = sys.argv[1], int(sys.argv[2])
def ext(t, body): return struct.pack('!HH', t, len(body)) + body
sni = b'mail.missing.test'
exts = ext(0, struct.pack('!HBH', len(sni) + 3, 0, len(sni)) + sni)
exts += ext(10, struct.pack('!H', 4) + b'\x00\x1d\x00\x17')          # x25519, secp256r1
exts += ext(11, b'\x01\x00')                                          # uncompressed points
sigs = b'\x08\x04\x04\x01\x04\x03\x08\x05\x05\x01'
exts += ext(13, struct.pack('!H', len(sigs)) + sigs)
exts += ext(0xff01, b'\x00')                                          # renegotiation_info
suites = b'\xc0\x2f\xc0\x30\x00\x9c'
body = b'\x03\x03' + os.urandom(32) + b'\x00' + struct.pack('!H', len(suites)) + suites + b'\x01\x00' + struct.pack('!H', len(exts)) + exts
hello = b'\x01' + struct.pack('!I', len(body))[1:] + body
s = socket.create_connection((addr, port))
s.sendall(b'\x16\x03\x01' + struct.pack('!H', len(hello)) + hello)
records, messages, done = b'', b'', False
while not done:
    data = s.recv(65536)
    if not data: sys.exit('the server closed before ServerHelloDone')
    records += data
    while len(records) >= 5 and len(records) >= 5 + struct.unpack('!H', records[3:5])[0]:
        n = struct.unpack('!H', records[3:5])[0]
        if records[0] == 22: messages += records[5:5 + n]
        records = records[5 + n:]
        while len(messages) >= 4 and len(messages) >= 4 + int.from_bytes(messages[1:4], 'big'):
            if messages[0] == 14: done = True
            messages = messages[4 + int.from_bytes(messages[1:4], 'big'):]
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
s.close()  # a RST, no alert
PY
sleep 1
openssl s_client -connect "$ADDR:$PORT" -servername mail.missing.test -CAfile root-and-inter.pem -verify_return_error -tls1_2 < /dev/null > client3.txt 2>&1 || true
grep -q "Verify return code: 0 (ok)" client3.txt || { echo "client 3 did not complete" >&2; cat client3.txt >&2; exit 1; }
sleep 1
kill -INT "$DUMP"; wait "$DUMP" 2>/dev/null || true; DUMP=
cd - >/dev/null
cp "$WORK/cap.pcap" "$OUT"
echo "$OUT: $(stat -c %s "$OUT") bytes"
