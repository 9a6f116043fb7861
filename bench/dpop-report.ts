// Markdown for the DPoP module: the warm cost of a DPoP decision against a bearer one, the replay table's
// added latency on DynamoDB Local, and the 2x target.
import type { DpopBenchReport, DpopOnlyResults } from './dpop';
import { formatNumber, markdownTable } from './markdown';
import { machineLine } from './route-tables-report';

/** Issue #23: a DPoP decision (a second signature verification) within 2x of a bearer decision. */
export const DPOP_TARGET = 2;

const us = (value: number): string => `${formatNumber(value, 1)} µs`;

/** The DPoP sections, without a title (the full report appends them). */
export function dpopSections(report: DpopBenchReport): string[] {
  return [
    '## DPoP: warm cost per decision',
    '',
    `REQUEST events for GET /items, ES256 access tokens, ${report.decisionsPerRound} decisions per round, ` +
      `median of ${report.rounds} interleaved rounds. DPoP: a bound token (cnf.jkt) with a fresh ES256 proof ` +
      'each, made before the batch is timed.',
    '',
    markdownTable(
      ['decision', 'per decision', 'x bearer'],
      [
        ['bearer token', us(report.bearer.medianUs), '1.00x'],
        [
          'DPoP, replay check in memory',
          us(report.dpopMemory.medianUs),
          `${report.dpopVsBearer.toFixed(2)}x`,
        ],
      ],
    ),
    '',
    '## DPoP: replay table on DynamoDB Local',
    '',
    'The same DPoP decisions with DPOP_REPLAY_TABLE: one conditional put per accepted proof, to DynamoDB ' +
      'Local on 127.0.0.1 (a real table is a network round trip away: add that).',
    '',
    markdownTable(
      ['replay check', 'per decision', 'added'],
      [
        ['in memory (per instance)', us(report.dpopMemory.medianUs), ''],
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

export function dpopTargetRow(report: DpopBenchReport): string[] {
  return [
    `DPoP decision <= ${DPOP_TARGET}x bearer decision`,
    `${report.dpopVsBearer.toFixed(2)}x`,
    report.dpopVsBearer <= DPOP_TARGET ? 'met' : '**missed**',
  ];
}

/** What the full report appends: the DPoP sections and their target. */
export function renderDpopSections(report: DpopBenchReport): string {
  return (
    [
      ...dpopSections(report),
      '## DPoP: target',
      '',
      markdownTable(['target', 'measured', 'verdict'], [dpopTargetRow(report)]),
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
      markdownTable(['target', 'measured', 'verdict'], [dpopTargetRow(dpop)]),
    ].join('\n') + '\n'
  );
}
