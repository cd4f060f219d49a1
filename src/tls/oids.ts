/**
 * Object identifiers the certificate reader names, each written once.
 *
 * Sources: RFC 8017 appendix A.2.4 (PKCS #1 signature algorithms), RFC 5758 §3.2 (ECDSA with SHA-2),
 * RFC 3279 §2.2 (DSA, ECDSA with SHA-1, MD2/MD5 with RSA), RFC 8410 §3 (Ed25519/Ed448), RFC 4055 §3.1
 * (RSASSA-PSS), NIST CSOR "Computer Security Objects Register" (DSA with SHA-2, ML-DSA from FIPS 204),
 * GOST R 34.10-2012 from RFC 9215 §3.3.
 */

const SIGNATURE_ALGORITHMS: ReadonlyArray<readonly [string, string]> = [
  ['1.2.840.113549.1.1.2', 'md2WithRSAEncryption'],
  ['1.2.840.113549.1.1.4', 'md5WithRSAEncryption'],
  ['1.2.840.113549.1.1.5', 'sha1WithRSAEncryption'],
  ['1.2.840.113549.1.1.10', 'rsassaPss'],
  ['1.2.840.113549.1.1.11', 'sha256WithRSAEncryption'],
  ['1.2.840.113549.1.1.12', 'sha384WithRSAEncryption'],
  ['1.2.840.113549.1.1.13', 'sha512WithRSAEncryption'],
  ['1.2.840.113549.1.1.14', 'sha224WithRSAEncryption'],
  ['1.2.840.10040.4.3', 'dsa-with-SHA1'],
  ['2.16.840.1.101.3.4.3.1', 'dsa-with-SHA224'],
  ['2.16.840.1.101.3.4.3.2', 'dsa-with-SHA256'],
  ['1.2.840.10045.4.1', 'ecdsa-with-SHA1'],
  ['1.2.840.10045.4.3.1', 'ecdsa-with-SHA224'],
  ['1.2.840.10045.4.3.2', 'ecdsa-with-SHA256'],
  ['1.2.840.10045.4.3.3', 'ecdsa-with-SHA384'],
  ['1.2.840.10045.4.3.4', 'ecdsa-with-SHA512'],
  ['1.3.101.112', 'Ed25519'],
  ['1.3.101.113', 'Ed448'],
  ['2.16.840.1.101.3.4.3.17', 'ML-DSA-44'],
  ['2.16.840.1.101.3.4.3.18', 'ML-DSA-65'],
  ['2.16.840.1.101.3.4.3.19', 'ML-DSA-87'],
  ['1.2.643.7.1.1.3.2', 'GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)'],
  ['1.2.643.7.1.1.3.3', 'GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)'],
];

const SIGNATURE_ALGORITHM_NAMES = new Map(SIGNATURE_ALGORITHMS);

/** The signature algorithm's name, or the dotted OID when it is not in the table. */
export function signatureAlgorithmName(oid: string): string {
  return SIGNATURE_ALGORITHM_NAMES.get(oid) ?? oid;
}

/**
 * Key sizes in bits of the named elliptic curves, by the names OpenSSL gives them (what node:crypto's
 * `asymmetricKeyDetails.namedCurve` reports). SEC 2 §2, RFC 5639 §3 (Brainpool), FIPS 186-4 D.1.2.
 */
export const CURVE_BITS: ReadonlyMap<string, number> = new Map([
  ['prime192v1', 192],
  ['secp224r1', 224],
  ['prime256v1', 256],
  ['secp256k1', 256],
  ['secp384r1', 384],
  ['secp521r1', 521],
  ['brainpoolP256r1', 256],
  ['brainpoolP384r1', 384],
  ['brainpoolP512r1', 512],
  ['SM2', 256],
]);

/** Readable names for node:crypto's `asymmetricKeyType`, with the key size of the fixed-size ones (RFC 8410 §3: 32- and 57-byte keys). */
export const KEY_TYPES: ReadonlyMap<string, { name: string; bits?: number }> = new Map([
  ['rsa', { name: 'RSA' }],
  ['rsa-pss', { name: 'RSA-PSS' }],
  ['dsa', { name: 'DSA' }],
  ['ec', { name: 'EC' }],
  ['ed25519', { name: 'Ed25519', bits: 256 }],
  ['ed448', { name: 'Ed448', bits: 456 }],
  ['x25519', { name: 'X25519', bits: 256 }],
  ['x448', { name: 'X448', bits: 448 }],
  ['dh', { name: 'DH' }],
]);
