// The authorizer's metrics in CloudWatch Embedded Metric Format (EMF), with Powertools' conventions: the
// namespace and `service` from the configuration, `service` on every metric, a ColdStart metric. A line that
// is logged anyway carries its metrics (an `_aws` member and the values), so a decision costs no extra write;
// where the level leaves the line out, one compact metrics-only line is written instead, so every decision
// counts at every LOG_LEVEL. The directives never change and are rendered once, when a line first needs them.
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

const BY_SERVICE = [[SERVICE_DIMENSION]];
// A decision counts under the service alone and under the service and its reason.
const BY_REASON = [[SERVICE_DIMENSION], [SERVICE_DIMENSION, REASON_DIMENSION]];
const BY_FUNCTION = [[SERVICE_DIMENSION, FUNCTION_NAME_DIMENSION]];

/** A JSON string that is ASCII (`\uXXXX` for the rest), so that a line's size in bytes is its length. */
function asciiJson(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export class AuthorizerMetrics {
  /**
   * Directives by what they count, each rendered the first time a line needs it: a cold start renders the
   * two or three its first decision uses, not every combination.
   */
  private readonly directives = new Map<string, string>();
  private readonly serviceMember: string;

  constructor(
    private readonly log: Logger,
    private readonly settings: MetricsSettings,
  ) {
    this.serviceMember = `"${SERVICE_DIMENSION}":${asciiJson(settings.service)}`;
  }

  /** The decision count's directive: by service and reason, or (a reason outside the fixed set) by service. */
  private counted(outcome: DecisionOutcome, known: boolean): string {
    return this.memo(`${outcome}:${known}`, () =>
      this.directive(known ? BY_REASON : BY_SERVICE, [DECISION_METRICS[outcome]]),
    );
  }

  /** The per-decision measures' directive, with a policy's size and the revocation read when there were any. */
  private measured(policy: boolean, revocation: boolean): string {
    return this.memo(`measures:${policy}:${revocation}`, () =>
      this.directive(BY_SERVICE, [
        'DecisionLatency',
        ...(policy ? (['PolicyResources'] as const) : []),
        ...(revocation ? (['RevocationLookups', 'RevocationLatency'] as const) : []),
      ]),
    );
  }

  private memo(key: string, render: () => string): string {
    let directive = this.directives.get(key);
    if (directive === undefined) {
      directive = render();
      this.directives.set(key, directive);
    }
    return directive;
  }

  /** The members a decision line embeds (or a metrics-only line carries). */
  decision(outcome: DecisionOutcome, reason: string, measures: DecisionMeasures): string {
    const { latencyMs, policyResources, revocationMs, coldStartOf } = measures;
    const counted = this.counted(outcome, REASONS[outcome].has(reason));
    const measured = this.measured(policyResources !== undefined, revocationMs !== undefined);
    let values = `,"${DECISION_METRICS[outcome]}":1,"DecisionLatency":${latencyMs}`;
    if (policyResources !== undefined) values += `,"PolicyResources":${policyResources}`;
    if (revocationMs !== undefined) values += `,"RevocationLookups":1,"RevocationLatency":${revocationMs}`;
    let directives = `${counted},${measured}`;
    if (coldStartOf !== undefined) {
      directives += `,${this.memo('cold-start', () => this.directive(BY_FUNCTION, ['ColdStart']))}`;
      values += `,"${FUNCTION_NAME_DIMENSION}":${asciiJson(coldStartOf)},"ColdStart":1`;
    }
    return `"_aws":{"Timestamp":${Date.now()},"CloudWatchMetrics":[${directives}]}${values}`;
  }

  /** The members of an event's line: each metric named with its value, under the `service` dimension only. */
  event(values: Partial<Record<AuthorizerMetricName, number>>): string {
    const names = Object.keys(values) as AuthorizerMetricName[];
    const directive = this.memo(`event:${names.join(',')}`, () => this.directive(BY_SERVICE, names));
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
