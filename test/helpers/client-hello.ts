import type { ClientHello, Extension } from '../../src/tls/types.js';

/** A ClientHello with only what the fingerprints read. */
export function clientHello(fields: Partial<ClientHello> & { extensionTypes?: number[] }): ClientHello {
  const extensions: Extension[] = (fields.extensionTypes ?? []).map((type) => ({ type, name: String(type), length: 0, grease: (type & 0x0f0f) === 0x0a0a }));
  return {
    sslv2: false,
    recordVersion: 0x0301,
    version: 0x0303,
    random: '',
    sessionId: '',
    cipherSuites: [],
    compressionMethods: [0],
    extensions,
    sni: null,
    alpn: [],
    supportedVersions: [],
    supportedGroups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    keyShareGroups: [],
    pskKeyExchangeModes: [],
    sessionTicket: false,
    preSharedKey: false,
    ...fields,
  };
}
