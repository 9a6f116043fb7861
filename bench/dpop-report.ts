// Markdown for the DPoP module: the warm cost of a DPoP decision against a bearer one for each access token
// algorithm, node:crypto's floor under both, the replay table's added latency on DynamoDB Local, and the 2x
// target.
import type { DpopBenchReport, DpopOnlyResults, DpopPair } from './dpop';
import { formatNumber, markdownTable } from './markdown';
import { machineLine } from './route-tables-report';

/** Issue #23: a DPoP decision (a second signature verification) within 2x of a bearer decision. */
export const DPOP_TARGET = 2;

const us = (value: number): string => `${formatNumber(value, 1)} µs`;
const times = (value: number): string => `${value.toFixed(2)}x`;

/** The DPoP sections, without a title (the full report appends them). */
export function dpopSections(report: DpopBenchReport): string[] {
  const { floors } = report;
  const floorRow = (what: string, token: number, proof: number | undefined): string[] => [
    what,
    us(token + (proof ?? 0)),
    proof === undefined ? '1.00x' : times((token + proof) / token),
  ];
  return [
    '## DPoP: warm cost per decision',
    '',
    `REQUEST events for GET /items as the Lambda runtime hands them over (parsed from JSON, new each round), ` +
      `${report.decisionsPerRound} decisions per round, median of ${report.rounds} interleaved rounds. A DPoP ` +
      'request carries a bound token (cnf.jkt) and a fresh proof, made before its round is timed. "bound": ' +
      'the ratio if DPoP added only node:crypto verifying the proof; no DPoP check can go below it.',
    '',
    markdownTable(
      ['access token', 'DPoP proof', 'bearer decision', 'DPoP decision', 'x bearer', 'bound'],
      report.pairs.map((p) => [
        p.tokenAlg,
        p.proofAlg,
        us(p.bearer.medianUs),
        us(p.dpop.medianUs),
        times(p.ratio),
        times(p.cryptoBound),
      ]),
    ),
    '',
    '## DPoP: the crypto floor',
    '',
    "node:crypto alone: verify with a ready KeyObject and a DER signature, node:crypto's fastest form, over " +
      'the same tokens and proofs.',
    '',
    markdownTable(
      ['floor', 'per request', 'x token verify'],
      [
        floorRow('ES256 token verify', floors.ES256.medianUs, undefined),
        floorRow(
          'floor: ES256 token verify + ES256 proof verify',
          floors.ES256.medianUs,
          floors.proof.medianUs,
        ),
        floorRow('RS256 token verify', floors.RS256.medianUs, undefined),
        floorRow(
          'floor: RS256 token verify + ES256 proof verify',
          floors.RS256.medianUs,
          floors.proof.medianUs,
        ),
      ],
    ),
    '',
    '## DPoP: replay table on DynamoDB Local',
    '',
    'The ES256 token and proof decisions with DPOP_REPLAY_TABLE: one conditional put per accepted proof, to ' +
      'DynamoDB Local on 127.0.0.1 (a real table is a network round trip away: add that).',
    '',
    markdownTable(
      ['replay check', 'per decision', 'added'],
      [
        ['in memory (per instance)', us((report.pairs[0] as DpopPair).dpop.medianUs), ''],
        [
          'replay table (DynamoDB Local)',
          us(report.dpopTable.medianUs),
          `${report.tableAddedUs >= 0 ? '+' : '-'}${us(Math.abs(report.tableAddedUs))}`,
        ],
      ],
    ),
    '',
  ];
}

export function dpopTargetRows(report: DpopBenchReport): string[][] {
  return report.pairs.map((p) => [
    `DPoP decision <= ${DPOP_TARGET}x bearer decision (${p.tokenAlg} token, ${p.proofAlg} proof)`,
    times(p.ratio),
    times(p.cryptoBound),
    p.ratio <= DPOP_TARGET ? 'met' : '**missed**',
  ]);
}

const TARGET_HEADERS = ['target', 'measured', 'bound', 'verdict'];

/** What the full report appends: the DPoP sections and their targets. */
export function renderDpopSections(report: DpopBenchReport): string {
  return (
    [
      ...dpopSections(report),
      '## DPoP: target',
      '',
      markdownTable(TARGET_HEADERS, dpopTargetRows(report)),
    ].join('\n') + '\n'
  );
}

export function renderDpopReport(results: DpopOnlyResults): string {
  const { options, machine, dpop } = results;
  return (
    [
      `# Benchmark results, DPoP only (${options.quick ? 'quick smoke run: figures are not meaningful' : 'full run'})`,
      '',
      machineLine(machine),
      '',
      ...dpopSections(dpop),
      '## Targets',
      '',
      markdownTable(TARGET_HEADERS, dpopTargetRows(dpop)),
    ].join('\n') + '\n'
  );
}
