// Public surface of the revocation feature: the table schema and the admin service.
export {
  REVOCATION_TABLE_SCHEMA,
  createRevocationTableInput,
  legacySubjectKey,
  subjectKey,
  tokenKey,
} from 'bearer-gate/contract';
export { parseConfig } from './config';
export type { RevocationAdminConfig } from './config';
export { parseRevocationRequest } from './input';
export type { RevocationRequest } from './input';
export { createRevocationService } from './service';
export type { Revocation, RevocationService } from './service';
