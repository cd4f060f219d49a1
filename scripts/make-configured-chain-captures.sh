#!/bin/sh
# Makes the captures and certificates for `--cert` and TLS 1.3's flight (issue 18), against real OpenSSL on
# loopback (run as root: dumpcap on lo). The tests never run it; run it again only to change the set (keys are
# thrown away, so every run gives new bytes).
#
#   captures/configured-chain-tls12.pcap  TLS 1.2, openssl s_server + s_client, handshakes completed:
#       port 8441: the server sends leaf + intermediate (as configured in chain.pem)
#       port 8442: the server sends the leaf alone (the intermediate forgotten)
#   captures/tls13-client-leaves.pcap     TLS 1.3, openssl s_server (leaf + intermediate) on 8443:
#       #1 a client that sends its ClientHello, reads the server's whole flight and closes (FIN) without a word
#       #2 openssl s_client, completed
#   captures/configured-chain/chain.pem      leaf + intermediate: what both servers were configured with
#   captures/configured-chain/renewed.pem    a renewed leaf with 150 names + the intermediate (about 7 KB):
#                                            the chain an admin thinks is configured after the renewal
#   captures/configured-chain/bad-order.pem  the intermediate first, then the leaf
set -eu
cd "$(dirname "$0")/.."
OUT=captures/configured-chain
W=$(mktemp -d)
trap 'kill $(cat "$W"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$W"' EXIT
mkdir -p "$OUT"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/root.key" -out "$W/root.pem" -days 3650 -subj '/CN=Lab Root CA' \
  -addext 'basicConstraints=critical,CA:true' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$W/inter.key" -out "$W/inter.csr" -subj '/CN=Lab Issuing CA' 2>/dev/null
printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$W/ca.ext"
openssl x509 -req -in "$W/inter.csr" -CA "$W/root.pem" -CAkey "$W/root.key" -CAcreateserial -days 3650 -extfile "$W/ca.ext" -out "$W/inter.pem" 2>/dev/null
leaf() { # $1 name, $2 SAN list
  openssl req -newkey rsa:2048 -nodes -keyout "$W/$1.key" -out "$W/$1.csr" -subj '/CN=mail.example.test' 2>/dev/null
  printf 'basicConstraints=critical,CA:false\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$2" > "$W/$1.ext"
  openssl x509 -req -in "$W/$1.csr" -CA "$W/inter.pem" -CAkey "$W/inter.key" -CAcreateserial -days 3650 -extfile "$W/$1.ext" -out "$W/$1.pem" 2>/dev/null
}
leaf leaf 'DNS:mail.example.test'
MANY='DNS:mail.example.test'
i=1
while [ $i -le 150 ]; do MANY="$MANY,DNS:customer-$i.mail.example.test"; i=$((i + 1)); done
leaf renewed "$MANY"
cat "$W/leaf.pem" "$W/inter.pem" > "$OUT/chain.pem"
cat "$W/renewed.pem" "$W/inter.pem" > "$OUT/renewed.pem"
cat "$W/inter.pem" "$W/leaf.pem" > "$OUT/bad-order.pem"

capture() { # $1 file, $2 filter
  dumpcap -q -i lo -f "$2" -w "$W/cap.pcapng" -P >/dev/null 2>&1 &
  echo $! > "$W/dumpcap.pid"
  sleep 1
}
stop_capture() { # $1 file
  sleep 1
  kill "$(cat "$W/dumpcap.pid")"; rm -f "$W/dumpcap.pid"
  sleep 1
  cp "$W/cap.pcapng" "$1"
}
server() { # $1 port, $2 version flag, $3 chain file (or empty)
  if [ -n "$3" ]; then set -- "$1" "$2" -cert_chain "$3"; else set -- "$1" "$2"; fi
  port=$1; shift
  openssl s_server -quiet -accept "127.0.0.1:$port" -naccept 2 -cert "$W/leaf.pem" -key "$W/leaf.key" "$@" </dev/null >/dev/null 2>&1 &
  echo $! > "$W/server$port.pid"
  sleep 1
}
client() { # $1 port, $2 version flag
  echo | openssl s_client -connect "127.0.0.1:$1" "$2" -servername mail.example.test -ign_eof >/dev/null 2>&1 || true
  sleep 0.5
}

capture "$OUT/tls12.pcap" 'tcp port 8441 or tcp port 8442'
server 8441 -tls1_2 "$W/inter.pem"
server 8442 -tls1_2 ''
client 8441 -tls1_2
client 8442 -tls1_2
stop_capture "$W/tls12.pcapng"
editcap -F pcap "$W/tls12.pcapng" captures/configured-chain-tls12.pcap

capture "$OUT/tls13.pcap" 'tcp port 8443'
server 8443 -tls1_3 "$W/inter.pem"
# A client that reads the server's flight and leaves without a word: its ClientHello made by Python's ssl
# (OpenSSL) into a memory BIO, sent on a plain socket; the kernel acknowledges the flight; then FIN.
python3 - <<'PY'
import socket, ssl, time
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out, server_hostname='mail.example.test')
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
s = socket.create_connection(('127.0.0.1', 8443))
s.sendall(out.read())
s.settimeout(0.3)
try:
    while s.recv(65536):
        pass
except socket.timeout:
    pass
time.sleep(0.2)
s.close()
PY
sleep 0.5
client 8443 -tls1_3
stop_capture "$W/tls13.pcapng"
editcap -F pcap "$W/tls13.pcapng" captures/tls13-client-leaves.pcap
echo done
