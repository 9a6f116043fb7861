// Public surface of the login client: PKCE login, client credentials, the headless form filler and its HTTP
// helpers, the sender-constraint keys (DPoP key file, client certificates) and the API call that uses them.
export { loginWithPkce } from './pkce-login';
export type { LoginOptions, LoginResult } from './pkce-login';
export { clientCredentialsToken } from './client-credentials';
export type { ClientCredentialsOptions } from './client-credentials';
export { completeInteraction, formAction } from './headless-interaction';
export type { HeadlessOptions } from './headless-interaction';
export { startLoopbackListener } from './loopback-listener';
export type { LoopbackListener } from './loopback-listener';
export { send, trustingFetch } from './trusted-http';
export type { ClientCertificate, RawResponse } from './trusted-http';
export { parseLoginArgs, LOGIN_USAGE } from './login-args';
export type { LoginArgs } from './login-args';
export { dpopKeyPath, generateDpopKey, readDpopKeyFile, writeDpopKeyFile } from './dpop-key';
export { callApi } from './api-call';
export type { ApiCallOptions, ApiCallResult } from './api-call';
export {
  isBoundTo,
  newClientCertificate,
  readClientCertificate,
  requireMutualTls,
  writeClientCertificate,
} from './client-certificate';
export type { ClientCertificateFiles } from './client-certificate';
export { parseCallArgs, CALL_USAGE } from './call-args';
export type { CallArgs } from './call-args';
