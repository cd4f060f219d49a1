export type { NetDecoderApi, NetStats, TcpOptions, TcpSegment } from './types.js';
export { TcpFlag } from './types.js';
export { NetDecoder, type NetDecoderOptions } from './decoder.js';
export { formatIPv4, formatIPv6, AddressNames } from './address.js';
export { parseTcpOptions, NO_TCP_OPTIONS } from './tcp-options.js';
export { FragmentReassembler, DEFAULT_REASSEMBLY_LIMITS, type ReassemblyLimits } from './reassembly.js';
export { LinkType, EtherType, IpProto } from './constants.js';
