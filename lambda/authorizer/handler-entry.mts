// The entry of the authorizer bundle without revocation (the index.mjs Lambda loads): handler.ts's handler, and
// a top-level await of its init warm-up when JWKS_WARM_UP turns one on. Lambda's Node.js runtime imports an ES
// module handler and waits for its top-level await before it reports the init done, so an instance initialized
// ahead of traffic has its keys when the first request arrives. Without a warm-up nothing is awaited.
import { warmedUp } from './handler.js';

if (warmedUp !== undefined) await warmedUp;

export { handler } from './handler.js';
