// Warm cost per token: every candidate verifies the same batch of distinct tokens in each round, in an order
// that rotates from round to round, so drift on a shared machine lands on all candidates alike.
import type { Candidate, CandidateId } from './candidates';

export interface WarmSeries {
  /** Microseconds per token, one value per timed round, in round order. */
  readonly perRound: ReadonlyMap<CandidateId, readonly number[]>;
}

async function timeBatch(candidate: Candidate, tokens: readonly string[]): Promise<number> {
  const started = performance.now();
  for (const token of tokens) {
    const result = candidate.run(token);
    // Only async candidates pay for an await; the floor stays synchronous.
    if (result instanceof Promise) await result;
  }
  return ((performance.now() - started) * 1000) / tokens.length;
}

export async function runWarmRounds(
  candidates: readonly Candidate[],
  tokens: readonly string[],
  rounds: number,
  warmupRounds: number,
): Promise<WarmSeries> {
  const perRound = new Map<CandidateId, number[]>(candidates.map((c) => [c.id, []]));
  for (let round = 0; round < warmupRounds + rounds; round++) {
    const shift = round % candidates.length;
    const order = [...candidates.slice(shift), ...candidates.slice(0, shift)];
    for (const candidate of order) {
      const micros = await timeBatch(candidate, tokens);
      if (round >= warmupRounds) perRound.get(candidate.id)?.push(micros);
    }
  }
  return { perRound };
}
