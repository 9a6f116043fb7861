// Sender-constrained tokens' cost (issue #23, item 6): the warm cost of a DPoP decision (a bound token and a
// fresh proof: a second signature verification, the proof's checks, the replay check in memory) against a
// bearer decision with the same access token algorithm, for ES256 and RS256 tokens with ES256 proofs; what
// node:crypto's verifications alone cost (the floor under both); and what the replay table (a conditional put
// on DynamoDB Local) adds to each DPoP decision. Rounds interleave the series; events and proofs are made
// before a round is timed, so only the authorizer's work is measured.
import { performance } from 'node:perf_hooks';
import { createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { createReplayStore, MemoryReplayStore, type Authorizer } from 'bearer-gate/authorizer';
import {
  LOCAL_AWS_ENV,
  ensureRevocationTable,
  startDynamoDbLocal,
  type DynamoDbLocal,
} from '../local/dynamodb-local';
import { makeProof, thumbprint } from '../test/support/dpop-proof';
import { claims, createKey, signToken, type TestKey } from '../test/support/keys';
import { ourAuthorizer } from './candidates';
import { API_ARN, AUDIENCE, ISSUER, startFixtures, type BenchAlg, type Fixtures } from './fixtures';
import type { BenchOptions } from './options';
import { median, medianDifference, medianRatio } from './stats';
import { machineNote, type MachineNote } from './suite';

const HOST = 'bench123.execute-api.us-east-1.amazonaws.com';
const HTU = `https://${HOST}/prod/items`;
const REPLAY_TABLE = 'dpop-replay-bench';

export class DpopBenchError extends Error {
  override readonly name = 'DpopBenchError';
  readonly code = 'DPOP_BENCH';
}

export interface DpopSeries {
  /** µs per decision (or verification), one value per timed round. */
  readonly perRoundUs: readonly number[];
  readonly medianUs: number;
}

/** A bearer decision and a DPoP decision whose access tokens have the same algorithm. */
export interface DpopPair {
  readonly tokenAlg: BenchAlg;
  readonly proofAlg: 'ES256';
  readonly bearer: DpopSeries;
  /** The replay check in memory. */
  readonly dpop: DpopSeries;
  /** Median of per-round ratios DPoP / bearer. */
  readonly ratio: number;
  /**
   * The ratio if a DPoP decision cost the bearer decision plus node:crypto's verification of the proof and
   * nothing else: median of per-round 1 + proof floor / bearer. No DPoP check can take the pair below it.
   */
  readonly cryptoBound: number;
}

/** node:crypto alone: one verification with a ready KeyObject and a DER signature (its fastest form). */
export interface DpopFloors {
  readonly ES256: DpopSeries;
  readonly RS256: DpopSeries;
  /** An ES256 DPoP proof: a shorter signing input than an access token's. */
  readonly proof: DpopSeries;
}

export interface DpopBenchReport {
  readonly decisionsPerRound: number;
  readonly rounds: number;
  /** ES256 tokens first, then RS256; every proof is ES256. */
  readonly pairs: readonly DpopPair[];
  readonly floors: DpopFloors;
  /** ES256 token and ES256 proof with the replay table. */
  readonly dpopTable: DpopSeries;
  /** Median of per-round differences, table minus memory (ES256 pair), µs per decision. */
  readonly tableAddedUs: number;
}

/** The REQUEST event API Gateway sends for GET https://HOST/prod/items. */
function requestEvent(authorization: string, proof: string | undefined): Record<string, unknown> {
  const headers: Record<string, string> = { Authorization: authorization, Host: HOST };
  if (proof !== undefined) headers.DPoP = proof;
  return {
    type: 'REQUEST',
    methodArn: `${API_ARN}/GET/items`,
    resource: '/items',
    path: '/items',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    requestContext: {
      httpMethod: 'GET',
      resourcePath: '/items',
      path: '/prod/items',
      stage: 'prod',
      domainName: HOST,
    },
  };
}

/**
 * Events as the Lambda runtime hands them to a handler: parsed from the invocation's JSON, new objects and
 * strings each time. Bearer and DPoP events alike, so neither series decides objects it has seen before.
 */
function delivered(events: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return JSON.parse(JSON.stringify(events)) as Record<string, unknown>[];
}

function tokens(
  fixtures: Fixtures,
  alg: BenchAlg,
  count: number,
  cnf: Record<string, string> | undefined,
): string[] {
  return Array.from({ length: count }, (_, i) =>
    signToken(
      fixtures.keys[alg],
      claims({
        iss: ISSUER,
        aud: AUDIENCE,
        sub: `user-${i}-${randomUUID()}`,
        scope: 'items:read items:write',
        exp: Math.floor(Date.now() / 1000) + 3600,
        ...(cnf === undefined ? {} : { cnf }),
      }),
    ),
  );
}

/** Decides every event once; returns µs per decision. Any refusal is a broken bench, not a figure. */
async function timeBatch(
  authorizer: Authorizer,
  events: readonly Record<string, unknown>[],
): Promise<number> {
  const start = performance.now();
  for (const event of events) {
    const policy = await authorizer.authorize(event);
    if (policy.policyDocument.Statement[0]?.Effect !== 'Allow') {
      throw new DpopBenchError('a benchmark request was not allowed');
    }
  }
  return ((performance.now() - start) * 1000) / events.length;
}

/** What node:crypto is handed for one JWS: its signing input and a signature in DER (made here, untimed). */
interface FloorInput {
  readonly input: Buffer;
  readonly signature: Buffer;
}

/** Each JWS's signing input, signed again by `key` in node:crypto's default form (DER for ECDSA). */
function floorInputs(jwss: readonly string[], key: TestKey): FloorInput[] {
  return jwss.map((jws) => {
    const input = Buffer.from(jws.slice(0, jws.lastIndexOf('.')));
    return { input, signature: sign('sha256', input, key.privateKey) };
  });
}

/** node:crypto verifying every input once with a ready KeyObject; returns µs per verification. */
function timeFloor(key: KeyObject, inputs: readonly FloorInput[]): number {
  const start = performance.now();
  for (const { input, signature } of inputs) {
    if (!verify('sha256', input, key, signature))
      throw new DpopBenchError('a floor signature did not verify');
  }
  return ((performance.now() - start) * 1000) / inputs.length;
}

function series(perRoundUs: number[]): DpopSeries {
  return { perRoundUs, medianUs: median(perRoundUs) };
}

type SeriesId =
  | 'bearer-ES256'
  | 'dpop-ES256'
  | 'bearer-RS256'
  | 'dpop-RS256'
  | 'table'
  | 'floor-ES256'
  | 'floor-RS256'
  | 'floor-proof';

const SERIES: readonly SeriesId[] = [
  'bearer-ES256',
  'dpop-ES256',
  'bearer-RS256',
  'dpop-RS256',
  'table',
  'floor-ES256',
  'floor-RS256',
  'floor-proof',
];

export async function measureDpop(
  fixtures: Fixtures,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<DpopBenchReport> {
  const n = options.tokens;
  const client: TestKey = createKey('ES256');
  const jkt = thumbprint(client.jwk);
  const bearerTokens = {
    ES256: tokens(fixtures, 'ES256', n, undefined),
    RS256: tokens(fixtures, 'RS256', n, undefined),
  };
  const boundTokens = {
    ES256: tokens(fixtures, 'ES256', n, { jkt }),
    RS256: tokens(fixtures, 'RS256', n, { jkt }),
  };
  const bearerEvents = (alg: BenchAlg): Record<string, unknown>[] =>
    bearerTokens[alg].map((token) => requestEvent(`Bearer ${token}`, undefined));
  // A fresh proof per request, as a client makes them (never timed).
  const dpopEvents = (alg: BenchAlg): Record<string, unknown>[] =>
    boundTokens[alg].map((token) =>
      requestEvent(`DPoP ${token}`, makeProof(client, { htm: 'GET', htu: HTU, token })),
    );
  const floorKeys = {
    ES256: createPublicKey({ key: fixtures.keys.ES256.jwk, format: 'jwk' }),
    RS256: createPublicKey({ key: fixtures.keys.RS256.jwk, format: 'jwk' }),
    proof: createPublicKey({ key: client.jwk, format: 'jwk' }),
  };
  const floorTokens = {
    ES256: floorInputs(bearerTokens.ES256, fixtures.keys.ES256),
    RS256: floorInputs(bearerTokens.RS256, fixtures.keys.RS256),
  };
  const floorProofs = floorInputs(
    boundTokens.ES256.map((token) => makeProof(client, { htm: 'GET', htu: HTU, token })),
    client,
  );

  progress('dpop: starting DynamoDB Local for the replay table');
  for (const [name, value] of Object.entries(LOCAL_AWS_ENV)) process.env[name] ??= value;
  const dynamodb: DynamoDbLocal = await startDynamoDbLocal();
  try {
    await ensureRevocationTable(dynamodb.client, REPLAY_TABLE);
    // Errors only: the comparison is of the decisions, not of the log lines (the warm table prices those).
    const plain = await ourAuthorizer(fixtures, 'error', {}, { dpopReplay: new MemoryReplayStore() });
    const tableEnv = { DPOP_REPLAY_TABLE: REPLAY_TABLE, DYNAMODB_ENDPOINT: dynamodb.endpoint };
    const withTable = await ourAuthorizer(fixtures, 'error', tableEnv, {
      dpopReplay: createReplayStore({
        requiredIssuers: [],
        proofMaxAgeSeconds: 60,
        replayTable: { tableName: REPLAY_TABLE, endpoint: dynamodb.endpoint },
        nonces: null,
      }),
    });
    const timed = Object.fromEntries(SERIES.map((id) => [id, [] as number[]])) as Record<SeriesId, number[]>;
    const total = options.warmupRounds + options.rounds;
    progress(
      `dpop: ${options.rounds} rounds x ${n} decisions (bearer and DPoP, ES256 and RS256 tokens; the replay ` +
        'table; node:crypto floors)',
    );
    for (let round = 0; round < total; round++) {
      const warm = round >= options.warmupRounds;
      // Every event of the round is made before any batch is timed, so the garbage of making them is not
      // collected inside one series' batch only.
      const events: Partial<Record<SeriesId, Record<string, unknown>[]>> = {
        'bearer-ES256': delivered(bearerEvents('ES256')),
        'dpop-ES256': delivered(dpopEvents('ES256')),
        'bearer-RS256': delivered(bearerEvents('RS256')),
        'dpop-RS256': delivered(dpopEvents('RS256')),
        table: delivered(dpopEvents('ES256')),
      };
      // Alternate the order each round, so no series always runs right after another.
      const order = round % 2 === 0 ? SERIES : [...SERIES].reverse();
      for (const id of order) {
        const us =
          id === 'floor-ES256'
            ? timeFloor(floorKeys.ES256, floorTokens.ES256)
            : id === 'floor-RS256'
              ? timeFloor(floorKeys.RS256, floorTokens.RS256)
              : id === 'floor-proof'
                ? timeFloor(floorKeys.proof, floorProofs)
                : await timeBatch(id === 'table' ? withTable : plain, events[id] ?? []);
        if (warm) timed[id].push(us);
      }
    }
    const pair = (alg: BenchAlg): DpopPair => {
      const bearer = timed[`bearer-${alg}`];
      const dpop = timed[`dpop-${alg}`];
      return {
        tokenAlg: alg,
        proofAlg: 'ES256',
        bearer: series(bearer),
        dpop: series(dpop),
        ratio: medianRatio(dpop, bearer),
        cryptoBound: median(bearer.map((b, i) => 1 + (timed['floor-proof'][i] as number) / b)),
      };
    };
    return {
      decisionsPerRound: n,
      rounds: options.rounds,
      pairs: [pair('ES256'), pair('RS256')],
      floors: {
        ES256: series(timed['floor-ES256']),
        RS256: series(timed['floor-RS256']),
        proof: series(timed['floor-proof']),
      },
      dpopTable: series(timed.table),
      tableAddedUs: medianDifference(timed.table, timed['dpop-ES256']),
    };
  } finally {
    await dynamodb.stop();
  }
}

export interface DpopOnlyResults {
  readonly options: BenchOptions;
  readonly machine: MachineNote;
  readonly dpop: DpopBenchReport;
}

/** What `--only dpop` runs (the full run appends the same sections). */
export async function runDpopBench(
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<DpopOnlyResults> {
  const machine = machineNote();
  const fixtures = await startFixtures();
  try {
    return { options, machine, dpop: await measureDpop(fixtures, options, progress) };
  } finally {
    await fixtures.close();
  }
}
