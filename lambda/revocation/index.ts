// Public surface of the revocation feature: the table's input, the admin service and its HTTP handler.
export { createRevocationTableInput } from 'bearer-gate/contract';
export { createRevocationHandler } from './admin-api';
export type { RevocationHandler } from './admin-api';
export { parseConfig } from './config';
export type { RevocationAdminConfig } from './config';
export { parseRevocationRequest } from './input';
export type { RevocationRequest } from './input';
export { createRevocationService } from './service';
export type { Revocation, RevocationService } from './service';
