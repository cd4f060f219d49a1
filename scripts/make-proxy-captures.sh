#!/bin/sh
# Makes captures/proxy-haproxy.pcap (issue 19): real Postfix 3.7 and Dovecot 2.3 (Debian 12) behind a real
# HAProxy 2.6 that speaks the PROXY protocol to them (send-proxy and send-proxy-v2 with TLVs), and the same
# clients straight to the same servers, for comparison. Run as root; the tests never run it. Every run gives
# new bytes (keys are thrown away).
#
# Three network namespaces: the servers in pxsrv, HAProxy in pxlb, the clients in pxcli, each pair joined by a
# veth link. A client reaches the servers straight (10.78.0.1, fd78::1, from 10.78.0.100, fd78::100) or through
# HAProxy (10.78.2.1, fd78:2::1, from 10.78.2.100, fd78:2::100), which connects on to the servers from
# 10.78.1.2 (fd78:1::2). The capture is taken on the servers' side (dumpcap -i any in pxsrv, as `tcpdump -i any`
# on a mail server): the direct connections, and HAProxy's, which start with the PROXY header.
#
#   server port    what listens                                   reached through HAProxy
#   25 / 10025     Postfix smtpd, STARTTLS / + upstream PROXY     10.78.2.1:25 send-proxy, 10.78.2.2:25 send-proxy-v2
#   465 / 10465    Postfix smtpd, implicit TLS / + upstream PROXY 10.78.2.2:465 send-proxy-v2 + TLVs
#   143 / 10143    Dovecot imap-login, STARTTLS / + haproxy=yes   10.78.2.1:143 send-proxy, 10.78.2.2:143 v2 + TLVs
#   993 / 10993    Dovecot imap-login, implicit TLS / + haproxy   10.78.2.2:993 send-proxy-v2 + TLVs
# (and the same on fd78:2::1, fd78:2::2). HAProxy listens on the standard ports, so the header announces them.
#
# Clients: openssl s_client (completes, then quits), and openssl s_client -verify_return_error without the CA
# (rejects the certificate: alert unknown_ca at step 4). IPv4 and IPv6 clients. HAProxy's health check of the
# imap_v2 server (check-send-proxy) opens with a PROXY v2 LOCAL header. (The same check against Postfix 3.7's
# smtpd made it exit "fatal: smtpd_peer_hostaddr_to_sockaddr: cannot convert client address/port to string",
# and master throttled the service: the connections after it got no banner.) Logs of both servers are kept
# next to the capture (captures/proxy-postfix.log, captures/proxy-dovecot.log), with client ports, as the lab's.
# Then, on the same Dovecot without a proxy, captures/sieve-lmtp-starttls.pcap: ManageSieve (4190) and LMTP (24)
# STARTTLS, the same two clients, IPv4 and IPv6.
set -eu
cd "$(dirname "$0")/.."
OUT=captures
W=$(mktemp -d /tmp/proxylab.XXXXXX)
chmod 755 "$W"
cleanup() {
  for p in "$W"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
  ip netns exec pxsrv postfix -c "$W/postfix" stop >/dev/null 2>&1 || true
  ip netns exec pxsrv doveadm -c "$W/dovecot.conf" stop >/dev/null 2>&1 || true
  sleep 1
  postconf -X alternate_config_directories 2>/dev/null || true
  for ns in pxsrv pxlb pxcli; do ip netns del $ns 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT

# ---- network ----
for ns in pxsrv pxlb pxcli; do ip netns add $ns; ip -n $ns link set lo up; done
link() { # $1 ns, $2 its device, $3 v4/24, $4 v6/64, $5 peer ns, $6 peer device, $7 v4, $8 v6
  ip link add "$2" type veth peer name "$6"
  ip link set "$2" netns "$1"
  ip link set "$6" netns "$5"
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$1" addr add "$4/64" dev "$2" nodad
  ip -n "$5" addr add "$7/24" dev "$6"
  ip -n "$5" addr add "$8/64" dev "$6" nodad
  ip -n "$1" link set "$2" up
  ip -n "$5" link set "$6" up
  # Segmentation offloads off: the capture shows the segments on the wire.
  ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec "$5" ethtool -K "$6" tso off gso off gro off >/dev/null 2>&1 || true
}
link pxsrv pxs0 10.78.0.1 fd78::1 pxcli pxc0 10.78.0.100 fd78::100
link pxsrv pxs1 10.78.1.1 fd78:1::1 pxlb pxl1 10.78.1.2 fd78:1::2
link pxlb pxl2 10.78.2.1 fd78:2::1 pxcli pxc2 10.78.2.100 fd78:2::100
# HAProxy's second address: the same ports, the PROXY protocol v2.
ip -n pxlb addr add 10.78.2.2/24 dev pxl2
ip -n pxlb addr add fd78:2::2/64 dev pxl2 nodad

# ---- certificates: a root, an intermediate, a leaf for mail.example.test ----
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/root.key" -out "$W/root.pem" -days 3650 -subj '/CN=Proxy Lab Root CA' \
  -addext 'basicConstraints=critical,CA:true' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$W/inter.key" -out "$W/inter.csr" -subj '/CN=Proxy Lab Issuing CA' 2>/dev/null
printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$W/ca.ext"
openssl x509 -req -in "$W/inter.csr" -CA "$W/root.pem" -CAkey "$W/root.key" -CAcreateserial -days 3650 -extfile "$W/ca.ext" -out "$W/inter.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$W/leaf.key" -out "$W/leaf.csr" -subj '/CN=mail.example.test' 2>/dev/null
printf 'basicConstraints=critical,CA:false\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:mail.example.test\n' > "$W/leaf.ext"
openssl x509 -req -in "$W/leaf.csr" -CA "$W/inter.pem" -CAkey "$W/inter.key" -CAcreateserial -days 3650 -extfile "$W/leaf.ext" -out "$W/leaf.pem" 2>/dev/null
cat "$W/leaf.pem" "$W/inter.pem" > "$W/chain.pem"
# A CA that signed none of it: the rejecting client trusts only this one.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/other.key" -out "$W/other.pem" -days 3650 -subj '/CN=Some Other CA' 2>/dev/null
chmod 644 "$W"/*.pem "$W"/*.key

# ---- Postfix: its own config directory, queue and log ----
mkdir -p "$W/postfix" "$W/spool" "$W/data"
chown postfix "$W/data"
cat > "$W/postfix/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $W/spool
data_directory = $W/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.example.test
mydestination =
inet_interfaces = all
inet_protocols = all
maillog_file = $W/postfix.log
maillog_file_prefixes = $W
smtpd_tls_cert_file = $W/chain.pem
smtpd_tls_key_file = $W/leaf.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_client_port_logging = yes
smtpd_upstream_proxy_timeout = 10s
EOF
cat > "$W/postfix/master.cf" <<'EOF'
smtp      inet  n       -       n       -       -       smtpd
10025     inet  n       -       n       -       -       smtpd -o smtpd_upstream_proxy_protocol=haproxy
submissions inet n      -       n       -       -       smtpd -o smtpd_tls_wrappermode=yes
10465     inet  n       -       n       -       -       smtpd -o smtpd_tls_wrappermode=yes -o smtpd_upstream_proxy_protocol=haproxy
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
postconf -e "alternate_config_directories = $W/postfix"
ip netns exec pxsrv postfix -c "$W/postfix" start

# ---- Dovecot: its own config, run and state directories, log ----
mkdir -p "$W/dovecot-run" "$W/dovecot-state"
cat > "$W/dovecot.conf" <<EOF
base_dir = $W/dovecot-run
state_dir = $W/dovecot-state
log_path = $W/dovecot.log
protocols = imap sieve lmtp
listen = *, ::
ssl = yes
ssl_cert = <$W/chain.pem
ssl_key = <$W/leaf.key
haproxy_trusted_networks = 10.78.1.2 fd78:1::2
verbose_ssl = yes
login_log_format_elements = user=<%u> method=%m rip=%r rport=%{rport} lip=%l lport=%{lport} mpid=%e %c session=<%{session}>
auth_mechanisms = plain
passdb {
  driver = static
  args = password=lab
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$W/home
}
service managesieve-login {
  inet_listener sieve {
    port = 4190
  }
}
service lmtp {
  inet_listener lmtp {
    port = 24
  }
}
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
  inet_listener imap_haproxy {
    port = 10143
    haproxy = yes
  }
  inet_listener imaps_haproxy {
    port = 10993
    ssl = yes
    haproxy = yes
  }
}
EOF
ip netns exec pxsrv dovecot -c "$W/dovecot.conf"

# ---- capture on the server's side (from before HAProxy starts: its first health check is at once) ----
ip netns exec pxsrv dumpcap -q -i any -f 'tcp' -w "$W/cap.pcap" -P >/dev/null 2>&1 &
echo $! > "$W/dumpcap.pid"
sleep 2

# ---- HAProxy: TCP mode, nothing terminated; the PROXY header to the servers ----
cat > "$W/haproxy.cfg" <<EOF
global
  pidfile $W/haproxy.pid
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  unique-id-format %{+X}o%ci:%cp_%fi:%fp_%Ts_%rt:%pid
listen smtp_v1
  bind 10.78.2.1:25
  bind [fd78:2::1]:25
  server postfix 10.78.1.1:10025 send-proxy
listen imap_v1
  bind 10.78.2.1:143
  bind [fd78:2::1]:143
  server dovecot 10.78.1.1:10143 send-proxy
listen smtp_v2
  bind 10.78.2.2:25
  bind [fd78:2::2]:25
  server postfix 10.78.1.1:10025 send-proxy-v2
listen smtps_v2
  bind 10.78.2.2:465
  bind [fd78:2::2]:465
  server postfix 10.78.1.1:10465 send-proxy-v2 proxy-v2-options unique-id,crc32c
listen imap_v2
  bind 10.78.2.2:143
  bind [fd78:2::2]:143
  server dovecot 10.78.1.1:10143 send-proxy-v2 proxy-v2-options unique-id,crc32c check check-send-proxy inter 60s
listen imaps_v2
  bind 10.78.2.2:993
  bind [fd78:2::2]:993
  server dovecot [fd78:1::1]:10993 send-proxy-v2 proxy-v2-options unique-id
EOF
ip netns exec pxlb haproxy -D -f "$W/haproxy.cfg"
sleep 2

c() { # client in pxcli: $1 host, $2 port, then openssl s_client options
  host=$1; port=$2; shift 2
  printf 'QUIT\r\na1 LOGOUT\r\n' | ip netns exec pxcli timeout 10 openssl s_client -connect "$host:$port" -servername mail.example.test -quiet "$@" >/dev/null 2>&1 || true
  sleep 0.5
}
ok() { c "$@" -CAfile "$W/root.pem" -verify_return_error; }
reject() { c "$@" -tls1_2 -verify_return_error -CAfile "$W/other.pem"; }

for v in 4 6; do
  if [ $v = 4 ]; then direct=10.78.0.1; v1=10.78.2.1; v2=10.78.2.2; else direct='[fd78::1]'; v1='[fd78:2::1]'; v2='[fd78:2::2]'; fi
  # Straight to the servers, then through HAProxy with PROXY v1, then v2: the same clients each time.
  for lb in $direct $v1 $v2; do
    ok $lb 25 -starttls smtp
    reject $lb 25 -starttls smtp
    ok $lb 143 -starttls imap
    reject $lb 143 -starttls imap
    if [ $lb != $v1 ]; then
      ok $lb 465
      ok $lb 993
    fi
  done
done
sleep 2
kill "$(cat "$W/dumpcap.pid")"; rm -f "$W/dumpcap.pid"
sleep 1
cp "$W/cap.pcap" "$OUT/proxy-haproxy.pcap"

# ---- ManageSieve (4190) and LMTP (24) STARTTLS on the same Dovecot, no proxy: captures/sieve-lmtp-starttls.pcap ----
ip netns exec pxsrv dumpcap -q -i any -f 'tcp port 4190 or tcp port 24' -w "$W/cap2.pcap" -P >/dev/null 2>&1 &
echo $! > "$W/dumpcap.pid"
sleep 2
for v in 4 6; do
  if [ $v = 4 ]; then direct=10.78.0.1; else direct='[fd78::1]'; fi
  ok $direct 4190 -starttls sieve
  reject $direct 4190 -starttls sieve
  ok $direct 24 -starttls lmtp
  reject $direct 24 -starttls lmtp
done
sleep 2
kill "$(cat "$W/dumpcap.pid")"; rm -f "$W/dumpcap.pid"
sleep 1
cp "$W/cap2.pcap" "$OUT/sieve-lmtp-starttls.pcap"
cp "$W/postfix.log" "$OUT/proxy-postfix.log"
cp "$W/dovecot.log" "$OUT/proxy-dovecot.log"
echo "wrote $OUT/proxy-haproxy.pcap, $OUT/proxy-postfix.log, $OUT/proxy-dovecot.log, $OUT/sieve-lmtp-starttls.pcap"
