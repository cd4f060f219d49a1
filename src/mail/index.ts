export { MailSniffer } from './sniffer.js';
export {
  type AppProtocol,
  type MailApplication,
  type PortMap,
  type PortOption,
  type PortRole,
  defaultPorts,
  parsePortOption,
  plainProtocol,
  protocolFor,
  roleProtocol,
} from './ports.js';
export type { MailPhase, MailProtocol } from './types.js';
