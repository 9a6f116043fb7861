// The authorizer's metrics in CloudWatch Embedded Metric Format (EMF), with Powertools' conventions: the
// namespace and `service` from the configuration, `service` on every metric, a ColdStart metric. A line that
// is logged anyway carries its metrics (an `_aws` member and the values), so a decision costs no extra write;
// where the level leaves the line out, one compact metrics-only line is written instead, so every decision
// counts at every LOG_LEVEL. The directives never change and are rendered once.
import {
  AUTHORIZER_METRICS,
  DECISION_METRICS,
  DECISION_REASONS,
  FUNCTION_NAME_DIMENSION,
  REASON_DIMENSION,
  SERVICE_DIMENSION,
  type AuthorizerMetricName,
  type DecisionOutcome,
} from '../contract/authorizer-metrics';
import { writeLine, type LogFields, type Logger, type LogLevel } from './log';

export interface MetricsSettings {
  readonly namespace: string;
  readonly service: string;
}

/** What one decision adds to the metrics besides its outcome and reason. */
export interface DecisionMeasures {
  readonly latencyMs: number;
  /** Resources in the policy (allow and deny decisions). */
  readonly policyResources?: number;
  /** How long the revocation table read took, when the decision read it. */
  readonly revocationMs?: number;
  /** The function's name, on an instance's first decision: it counts in ColdStart. */
  readonly coldStartOf?: string;
}

const REASONS: { readonly [O in DecisionOutcome]: ReadonlySet<string> } = {
  allow: new Set(DECISION_REASONS.allow),
  deny: new Set(DECISION_REASONS.deny),
  unauthorized: new Set(DECISION_REASONS.unauthorized),
  error: new Set(DECISION_REASONS.error),
};

/** A JSON string that is ASCII (`\uXXXX` for the rest), so that a line's size in bytes is its length. */
function asciiJson(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export class AuthorizerMetrics {
  private readonly decisionDirectives: { readonly [O in DecisionOutcome]: readonly [string, string] };
  /** The per-decision measures' directive, by [has a policy][read the revocation table]. */
  private readonly measureDirectives: readonly [readonly [string, string], readonly [string, string]];
  private readonly coldStartDirective: string;
  private readonly eventDirectives = new Map<string, string>();
  private readonly serviceMember: string;

  constructor(
    private readonly log: Logger,
    private readonly settings: MetricsSettings,
  ) {
    this.serviceMember = `"${SERVICE_DIMENSION}":${asciiJson(settings.service)}`;
    const byService = [[SERVICE_DIMENSION]];
    const byReason = [[SERVICE_DIMENSION], [SERVICE_DIMENSION, REASON_DIMENSION]];
    const decisions = (outcome: DecisionOutcome): readonly [string, string] => [
      this.directive(byReason, [DECISION_METRICS[outcome]]),
      // A reason outside the fixed set (none is expected) counts without its dimension.
      this.directive(byService, [DECISION_METRICS[outcome]]),
    ];
    this.decisionDirectives = {
      allow: decisions('allow'),
      deny: decisions('deny'),
      unauthorized: decisions('unauthorized'),
      error: decisions('error'),
    };
    const measures = (policy: boolean, revocation: boolean): string =>
      this.directive(byService, [
        'DecisionLatency',
        ...(policy ? (['PolicyResources'] as const) : []),
        ...(revocation ? (['RevocationLookups', 'RevocationLatency'] as const) : []),
      ]);
    this.measureDirectives = [
      [measures(false, false), measures(false, true)],
      [measures(true, false), measures(true, true)],
    ];
    this.coldStartDirective = this.directive([[SERVICE_DIMENSION, FUNCTION_NAME_DIMENSION]], ['ColdStart']);
  }

  /** The members a decision line embeds (or a metrics-only line carries). */
  decision(outcome: DecisionOutcome, reason: string, measures: DecisionMeasures): string {
    const { latencyMs, policyResources, revocationMs, coldStartOf } = measures;
    const counted = this.decisionDirectives[outcome][REASONS[outcome].has(reason) ? 0 : 1];
    const measured =
      this.measureDirectives[policyResources === undefined ? 0 : 1][revocationMs === undefined ? 0 : 1];
    let values = `,"${DECISION_METRICS[outcome]}":1,"DecisionLatency":${latencyMs}`;
    if (policyResources !== undefined) values += `,"PolicyResources":${policyResources}`;
    if (revocationMs !== undefined) values += `,"RevocationLookups":1,"RevocationLatency":${revocationMs}`;
    let directives = `${counted},${measured}`;
    if (coldStartOf !== undefined) {
      directives += `,${this.coldStartDirective}`;
      values += `,"${FUNCTION_NAME_DIMENSION}":${asciiJson(coldStartOf)},"ColdStart":1`;
    }
    return `"_aws":{"Timestamp":${Date.now()},"CloudWatchMetrics":[${directives}]}${values}`;
  }

  /** The members of an event's line: each metric named with its value, under the `service` dimension only. */
  event(values: Partial<Record<AuthorizerMetricName, number>>): string {
    const names = Object.keys(values) as AuthorizerMetricName[];
    const key = names.join(',');
    let directive = this.eventDirectives.get(key);
    if (directive === undefined) {
      directive = this.directive([[SERVICE_DIMENSION]], names);
      this.eventDirectives.set(key, directive);
    }
    let members = '';
    for (const name of names) members += `,"${name}":${values[name]}`;
    return `"_aws":{"Timestamp":${Date.now()},"CloudWatchMetrics":[${directive}]}${members}`;
  }

  /**
   * The line at `level` with the metrics embedded, or, when the level leaves it out, only the metrics with
   * their dimensions (`service`, and `reason` when the metrics use it).
   */
  write(
    level: Exclude<LogLevel, 'silent'>,
    message: string,
    fields: LogFields,
    embedded: string,
    reason?: string,
  ): void {
    if (this.log.enabled(level)) this.log[level](message, fields, embedded);
    else this.writeOnly(embedded, reason);
  }

  /** A metrics-only line: written whatever the level, `silent` included. */
  writeOnly(embedded: string, reason?: string): void {
    const reasonMember = reason === undefined ? '' : `,"${REASON_DIMENSION}":${asciiJson(reason)}`;
    writeLine(`{${this.serviceMember}${reasonMember},${embedded}}`);
  }

  private directive(dimensions: string[][], metrics: readonly AuthorizerMetricName[]): string {
    return JSON.stringify({
      Namespace: this.settings.namespace,
      Dimensions: dimensions,
      Metrics: metrics.map((name) => ({ Name: name, Unit: AUTHORIZER_METRICS[name] })),
    });
  }
}
