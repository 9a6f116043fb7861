// Public surface of the revocation feature: the table's keys, the admin service and its HTTP handler.
export {
  DEFAULT_REVOCATION_ADMIN_SCOPES,
  REVOCATION_TABLE_ATTRIBUTES,
  createRevocationTableInput,
  legacySubjectKey,
  subjectKey,
  tokenKey,
} from 'bearer-gate/contract';
export { createRevocationHandler, REVOCATION_ROUTE_ID } from './admin-api';
export type { RevocationHandler, RevocationHandlerOptions } from './admin-api';
export { parseConfig } from './config';
export type { RevocationAdminConfig } from './config';
export { parseRevocationRequest } from './input';
export type { RevocationRequest } from './input';
export { createRevocationService } from './service';
export type { Revocation, RevocationService } from './service';
