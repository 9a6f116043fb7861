// The entry of the authorizer bundle with DynamoDB (the index.mjs Lambda loads): revocable-handler.ts's handler,
// and a top-level await of its init warm-up when JWKS_WARM_UP turns one on. Lambda's Node.js runtime imports an
// ES module handler and waits for its top-level await before it reports the init done, so an instance
// initialized ahead of traffic has its keys and its DynamoDB connection set up when the first request arrives.
// Without a warm-up nothing is awaited.
import { warmedUp } from './revocable-handler.js';

if (warmedUp !== undefined) await warmedUp;

export { handler } from './revocable-handler.js';
