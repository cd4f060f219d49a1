#!/bin/sh
# tshark's own name tables for the TLS registries the reports name things from (handshake types, alerts,
# cipher suites, extensions, supported groups, signature schemes, versions), as tshark -G values prints them:
# one TSV per field in test/tls/fixtures/tshark-registries/ (code, name; a field with several value sets, such
# as tls.handshake.type for SSLv2 and TLS, keeps them in tshark's order). Wireshark keeps these tables from the
# IANA registries on its own: test/tls/names.test.ts and test/handshake/oracle.test.ts read names from here,
# never through src/tls/names.ts, so a wrong entry there cannot hide behind itself.
# Needs tshark (written with TShark 4.0.17, Debian 4.0.17-0+deb12u3); the tests do not.
set -eu
cd "$(dirname "$0")/.."
OUT=test/tls/fixtures/tshark-registries
mkdir -p "$OUT"
VALUES=$(mktemp)
trap 'rm -f "$VALUES"' EXIT
tshark -G values 2>/dev/null > "$VALUES"
version=$(tshark --version 2>/dev/null | head -n 1 | sed 's/\.Running.*//')
for field in tls.handshake.type tls.alert_message.desc tls.handshake.ciphersuite tls.handshake.extension.type \
  tls.handshake.extensions_supported_group tls.handshake.sig_hash_alg tls.record.version tls.handshake.cipherspec; do
  {
    printf '# %s, tshark -G values, %s\n' "$field" "$version"
    printf 'code\tname\n'
    awk -F '\t' -v f="$field" '$1 == "V" && $2 == f { print $3 "\t" $4 }' "$VALUES"
  } > "$OUT/$field.tsv"
done
