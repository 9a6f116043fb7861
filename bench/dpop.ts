// Sender-constrained tokens' cost (issue #23, item 6): the warm cost of a DPoP decision (a bound token and a
// fresh proof: a second signature verification, the thumbprint, the replay check in memory) against a bearer
// decision of the same REQUEST event shape, and what the replay table (a conditional put on DynamoDB Local)
// adds to each DPoP decision. Rounds interleave the series; proofs are made by the "client" before a batch
// is timed, so only the authorizer's work is measured.
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
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
import { API_ARN, AUDIENCE, ISSUER, startFixtures, type Fixtures } from './fixtures';
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
  /** µs per decision, one value per timed round. */
  readonly perRoundUs: readonly number[];
  readonly medianUs: number;
}

export interface DpopBenchReport {
  readonly decisionsPerRound: number;
  readonly rounds: number;
  readonly bearer: DpopSeries;
  readonly dpopMemory: DpopSeries;
  readonly dpopTable: DpopSeries;
  /** Median of per-round ratios DPoP (in-memory replay check) / bearer. */
  readonly dpopVsBearer: number;
  /** Median of per-round differences, table minus memory, µs per decision. */
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

function tokens(fixtures: Fixtures, count: number, cnf: Record<string, string> | undefined): string[] {
  return Array.from({ length: count }, (_, i) =>
    signToken(
      fixtures.keys.ES256,
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

function series(perRoundUs: number[]): DpopSeries {
  return { perRoundUs, medianUs: median(perRoundUs) };
}

export async function measureDpop(
  fixtures: Fixtures,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<DpopBenchReport> {
  const n = options.tokens;
  const client: TestKey = createKey('ES256');
  const bearerTokens = tokens(fixtures, n, undefined);
  const boundTokens = tokens(fixtures, n, { jkt: thumbprint(client.jwk) });
  // A fresh proof per request, as a client makes them (never timed).
  const dpopEvents = (): Record<string, unknown>[] =>
    boundTokens.map((token) =>
      requestEvent(`DPoP ${token}`, makeProof(client, { htm: 'GET', htu: HTU, token })),
    );
  const bearerEvents = bearerTokens.map((token) => requestEvent(`Bearer ${token}`, undefined));

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
    const bearer: number[] = [];
    const memory: number[] = [];
    const table: number[] = [];
    const total = options.warmupRounds + options.rounds;
    progress(`dpop: ${options.rounds} rounds x ${n} decisions (bearer, DPoP, DPoP with the replay table)`);
    for (let round = 0; round < total; round++) {
      const warm = round >= options.warmupRounds;
      // Alternate the order each round, so neither series always runs right after the other.
      const order =
        round % 2 === 0 ? (['bearer', 'memory', 'table'] as const) : (['table', 'memory', 'bearer'] as const);
      // Every proof of the round is made before any batch is timed, so the garbage of making them is not
      // collected inside one series' batch only.
      const events = { bearer: bearerEvents, memory: dpopEvents(), table: dpopEvents() };
      for (const which of order) {
        const us = await timeBatch(which === 'table' ? withTable : plain, events[which]);
        if (warm) (which === 'bearer' ? bearer : which === 'memory' ? memory : table).push(us);
      }
    }
    return {
      decisionsPerRound: n,
      rounds: options.rounds,
      bearer: series(bearer),
      dpopMemory: series(memory),
      dpopTable: series(table),
      dpopVsBearer: medianRatio(memory, bearer),
      tableAddedUs: medianDifference(table, memory),
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
