/** LINKTYPE_* values (tcpdump.org link-layer header types) that the decoder understands. */
export const LinkType = {
  /** BSD loopback: a 4-byte address family in the byte order of the capturing host. */
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW as written on most platforms (12) and on OpenBSD (14); files should say 101. */
  RAW_12: 12,
  RAW_14: 14,
  RAW: 101,
  /** OpenBSD loopback: like NULL, but the family is always big-endian. */
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Ethernet types (IEEE 802 numbers). */
export const EtherType = {
  IPV4: 0x0800,
  IPV6: 0x86dd,
  VLAN: 0x8100,
  /** 802.1ad service tag (QinQ outer tag). */
  QINQ: 0x88a8,
  /** Pre-standard QinQ outer tags still seen in the wild. */
  QINQ_OLD_9100: 0x9100,
  QINQ_OLD_9200: 0x9200,
  MPLS_UNICAST: 0x8847,
  MPLS_MULTICAST: 0x8848,
  PPPOE_SESSION: 0x8864,
  /** GRE payload type for a whole Ethernet frame (transparent Ethernet bridging). */
  TRANSPARENT_ETHERNET: 0x6558,
  /** Values up to this are 802.3 length fields, not types. */
  MAX_802_3_LENGTH: 0x05dc,
} as const;

/** PPP protocol numbers (RFC 1661 / IANA). */
export const PppProtocol = {
  IPV4: 0x0021,
  IPV6: 0x0057,
} as const;
/** GRE protocol type for PPP (PPTP's enhanced GRE, RFC 2637). */
export const GRE_PPP = 0x880b;

/** IP protocol numbers (IANA). */
export const IpProto = {
  HOP_BY_HOP: 0,
  IPV4_IN_IP: 4,
  TCP: 6,
  UDP: 17,
  IPV6_IN_IP: 41,
  IPV6_ROUTING: 43,
  IPV6_FRAGMENT: 44,
  GRE: 47,
  ESP: 50,
  AH: 51,
  IPV6_NO_NEXT: 59,
  IPV6_DEST_OPTIONS: 60,
  IPV6_MOBILITY: 135,
  HIP: 139,
  SHIM6: 140,
} as const;

/** BSD address families found in NULL/LOOP headers: AF_INET6 differs between the BSDs. */
export const BsdAddressFamily = {
  INET: 2,
  /** NetBSD, OpenBSD, BSD/OS. */
  INET6_BSD: 24,
  INET6_FREEBSD: 28,
  INET6_DARWIN: 30,
} as const;

/** UDP ports of the tunnels decoded (IANA). */
export const TunnelPort = {
  VXLAN: 4789,
  GTP_U: 2152,
  GENEVE: 6081,
} as const;

/** TCP option kinds (IANA). */
export const TcpOptionKind = {
  END: 0,
  NOP: 1,
  MSS: 2,
  WINDOW_SCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMP: 8,
} as const;

/** Linux ARPHRD_NETLINK: cooked captures of netlink sockets, never IP. */
export const ARPHRD_NETLINK = 824;
