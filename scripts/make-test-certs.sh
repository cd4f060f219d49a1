#!/bin/sh
# Makes the certificates the chain-check tests read (test/tls/fixtures/certs/*.pem): real X.509
# certificates from openssl, with fixed validity dates so the tests can place "the capture" in time.
# The tests never run openssl; run this again only to change the set (the keys are thrown away, so
# every run gives new bytes and new fingerprints).
#
#   root      CN=Test Root CA          self-signed CA      2020-01-01 .. 2040-01-01
#   inter     CN=Test Issuing CA       signed by root      2020-01-01 .. 2040-01-01
#   other-root, other-inter            an unrelated pair, for "the wrong intermediate"
#   leaf      CN=mail.example.test, SAN mail.example.test, *.mx.example.test, IP 192.0.2.25
#                                      signed by inter     2025-01-01 .. 2035-01-01
#   leaf-expired                       same names          2020-01-01 .. 2021-01-01
#   leaf-future                        same names          2035-01-01 .. 2036-01-01
#   leaf-cn-only   CN=legacy.example.test, no SAN (RFC 6125 §6.4.4 CN fallback)
#   leaf-many-names  200 DNS names (a chain over 6 KB with its intermediate)
#   leaf-ec        P-256 key, ecdsa-with-SHA384 signature
#   leaf-ed25519   Ed25519 key
#   selfsigned     CN=selfsigned.example.test, self-signed, not a CA
set -eu
cd "$(dirname "$0")/.."
OUT=test/tls/fixtures/certs
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

# `openssl ca` is the only openssl 3.0 command that takes explicit start and end dates.
make_ca_config() { # $1 = directory of the signing CA
  mkdir -p "$1/new"
  : > "$1/index.txt"
  cat > "$1/ca.cnf" <<EOF
[ ca ]
default_ca = this
[ this ]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
[ anything ]
commonName = supplied
organizationName = optional
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  openssl rand -hex 16 > "$1/serial"
}

# $1 name, $2 subject, $3 signing CA dir, $4 key file, $5 extensions section, $6 start, $7 end, [$8 SAN]
sign() {
  if [ -n "${8:-}" ]; then
    openssl req -new -key "$4" -subj "$2" -addext "subjectAltName=$8" -out "$WORK/$1.csr" 2>/dev/null
  else
    openssl req -new -key "$4" -subj "$2" -out "$WORK/$1.csr" 2>/dev/null
  fi
  openssl ca -batch -config "$3/ca.cnf" -cert "$3/cert.pem" -keyfile "$3/key.pem" -extensions "$5" \
    -startdate "$6" -enddate "$7" -in "$WORK/$1.csr" -out "$WORK/$1.full.pem" -notext 2>/dev/null
  openssl x509 -in "$WORK/$1.full.pem" -out "$OUT/$1.pem"
}

self_signed_ca() { # $1 name, $2 subject
  mkdir -p "$WORK/$1"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/$1/key.pem" 2>/dev/null
  make_ca_config "$WORK/$1"
  openssl req -new -key "$WORK/$1/key.pem" -subj "$2" -out "$WORK/$1.csr"
  openssl ca -batch -selfsign -config "$WORK/$1/ca.cnf" -keyfile "$WORK/$1/key.pem" -extensions ca_ext \
    -startdate 20200101000000Z -enddate 20400101000000Z -in "$WORK/$1.csr" -out "$WORK/$1/full.pem" -notext 2>/dev/null
  openssl x509 -in "$WORK/$1/full.pem" -out "$WORK/$1/cert.pem"
  cp "$WORK/$1/cert.pem" "$OUT/$1.pem"
}

intermediate_ca() { # $1 name, $2 subject, $3 parent
  mkdir -p "$WORK/$1"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/$1/key.pem" 2>/dev/null
  make_ca_config "$WORK/$1"
  sign "$1" "$2" "$WORK/$3" "$WORK/$1/key.pem" ca_ext 20200101000000Z 20400101000000Z
  cp "$OUT/$1.pem" "$WORK/$1/cert.pem"
}

rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/$1.key" 2>/dev/null; }

self_signed_ca root '/O=tlsdissect tests/CN=Test Root CA'
intermediate_ca inter '/O=tlsdissect tests/CN=Test Issuing CA' root
self_signed_ca other-root '/O=somebody else/CN=Other Root CA'
intermediate_ca other-inter '/O=somebody else/CN=Other Issuing CA' other-root

NAMES='DNS:mail.example.test,DNS:*.mx.example.test,IP:192.0.2.25'
rsa_key leaf
sign leaf '/CN=mail.example.test' "$WORK/inter" "$WORK/leaf.key" leaf_ext 20250101000000Z 20350101000000Z "$NAMES"
sign leaf-expired '/CN=mail.example.test' "$WORK/inter" "$WORK/leaf.key" leaf_ext 20200101000000Z 20210101000000Z "$NAMES"
sign leaf-future '/CN=mail.example.test' "$WORK/inter" "$WORK/leaf.key" leaf_ext 20350101000000Z 20360101000000Z "$NAMES"
sign leaf-cn-only '/CN=legacy.example.test' "$WORK/inter" "$WORK/leaf.key" leaf_ext 20250101000000Z 20350101000000Z

MANY=$(i=1; while [ $i -le 200 ]; do printf 'DNS:mx%d.customer-%d.example.test,' $i $i; i=$((i + 1)); done)
sign leaf-many-names '/CN=mail.example.test' "$WORK/inter" "$WORK/leaf.key" leaf_ext 20250101000000Z 20350101000000Z "${MANY}DNS:mail.example.test"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/ec.key" 2>/dev/null
sed -i 's/^default_md = sha256$/default_md = sha384/' "$WORK/inter/ca.cnf"
sign leaf-ec '/CN=ec.example.test' "$WORK/inter" "$WORK/ec.key" leaf_ext 20250101000000Z 20350101000000Z 'DNS:ec.example.test'
sed -i 's/^default_md = sha384$/default_md = sha256/' "$WORK/inter/ca.cnf"
openssl genpkey -algorithm ED25519 -out "$WORK/ed.key" 2>/dev/null
sign leaf-ed25519 '/CN=ed.example.test' "$WORK/inter" "$WORK/ed.key" leaf_ext 20250101000000Z 20350101000000Z 'DNS:ed.example.test'

rsa_key selfsigned
openssl req -x509 -new -key "$WORK/selfsigned.key" -subj '/CN=selfsigned.example.test' -days 36500 \
  -addext 'subjectAltName=DNS:selfsigned.example.test' -addext 'basicConstraints=critical,CA:false' -out "$OUT/selfsigned.pem"

ls -l "$OUT"
