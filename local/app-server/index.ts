// Public surface of the browser app's server (the SPA's own origin in the local loop).
export { startAppServer, contentSecurityPolicy } from './server';
export type { AppServer } from './server';
export { bundleApp } from './bundle';
