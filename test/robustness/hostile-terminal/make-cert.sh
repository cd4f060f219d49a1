#!/bin/sh
# Makes cert.pem: a self-signed certificate whose subject and subjectAltName carry terminal escapes
# (ESC[2J clears the screen, OSC 0 sets the window title, OSC 8 plants a hyperlink), a C1 CSI (U+009B),
# DEL and U+202E (right-to-left override). OpenSSL 3 takes the bytes as they are (utf8only); Node prints
# the SAN names as JSON strings, which the certificate reader parses back into the raw characters.
# Run from this folder: sh make-cert.sh (the key is thrown away; only the certificate is kept).
set -e
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '[req]\ndistinguished_name=dn\nprompt=no\nstring_mask=utf8only\nutf8=yes\n[dn]\nCN=evil\033[2J\302\23331m\177\342\200\256example.com\nO=\033]0;owned-title\007Org\nOU=\033]8;;http://x.example/\007link\033]8;;\007\n[ext]\nsubjectAltName=DNS:mail\033[2J.example,DNS:a\342\200\256b\302\233.example,DNS:t\033]0;san-title\007.example\n' >"$dir/cert.cnf"
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/key.pem" -out cert.pem \
  -config "$dir/cert.cnf" -extensions ext -days 36500 -set_serial 4242
