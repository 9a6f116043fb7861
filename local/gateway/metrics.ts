// The local loop's CloudWatch: reads the Embedded Metric Format documents in the log lines, as CloudWatch Logs
// does, and keeps each metric's statistics per dimension set, for the gateway's /__metrics page and the summary
// `npm start` prints when it stops. What it counts is what the deployed authorizer's metrics would count.
import { observeLogs } from 'bearer-gate/authorizer';
import { FUNCTION_NAME_DIMENSION, REASON_DIMENSION, SERVICE_DIMENSION } from 'bearer-gate/contract';

/** One metric in one dimension set, with CloudWatch's statistics over every data point so far. */
export interface LocalMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Data points (SampleCount). */
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

interface Directive {
  readonly Namespace?: unknown;
  readonly Dimensions?: unknown;
  readonly Metrics?: unknown;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class LocalMetrics {
  private readonly metrics = new Map<string, Mutable<LocalMetric>>();
  /** Lines that carried `_aws` but were not a document CloudWatch could read. */
  private unreadable = 0;

  /** Counts the metrics of one log line; a line without `_aws` is not looked at. */
  record(line: string): void {
    if (!line.includes('"_aws"')) return;
    let root: unknown;
    try {
      root = JSON.parse(line);
    } catch {
      this.unreadable++;
      return;
    }
    const directives = isObject(root) && isObject(root._aws) ? root._aws.CloudWatchMetrics : undefined;
    if (!isObject(root) || !Array.isArray(directives)) {
      this.unreadable++;
      return;
    }
    for (const directive of directives as Directive[]) this.recordDirective(root, directive);
  }

  /** Every metric, by namespace, name and dimensions. */
  snapshot(): { readonly metrics: LocalMetric[]; readonly unreadableLines: number } {
    const metrics = [...this.metrics.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, metric]) => ({ ...metric }));
    return { metrics, unreadableLines: this.unreadable };
  }

  /** Counts every line logged in this process from now on; returns the function that stops it. */
  observe(): () => void {
    return observeLogs((line) => this.record(line));
  }

  /**
   * A few lines for a terminal: per metric, its total (counts) or average and maximum (milliseconds), and
   * for a metric also kept by reason, the reasons.
   */
  summary(): string {
    const { metrics } = this.snapshot();
    if (metrics.length === 0) return 'metrics: none recorded';
    const totals = metrics.filter(
      (m) => !(REASON_DIMENSION in m.dimensions) && !(FUNCTION_NAME_DIMENSION in m.dimensions),
    );
    const lines = ['metrics (what CloudWatch would count; every metric is at GET /__metrics):'];
    for (const total of totals) {
      const reasons = metrics
        .filter(
          (m) => m.name === total.name && m.namespace === total.namespace && REASON_DIMENSION in m.dimensions,
        )
        .map((m) => `${m.dimensions[REASON_DIMENSION]} ${m.sum}`);
      const value =
        total.unit === 'Milliseconds'
          ? `average ${(total.sum / total.count).toFixed(2)} ms, max ${total.max} ms, ${total.count} measured`
          : String(total.sum);
      const service = total.dimensions[SERVICE_DIMENSION];
      const serviceLabel = service === undefined ? '' : ` [${service}]`;
      lines.push(
        `  ${total.name}${serviceLabel}: ${value}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`,
      );
    }
    return lines.join('\n');
  }

  private recordDirective(root: Record<string, unknown>, directive: Directive): void {
    const { Namespace: namespace, Dimensions: dimensionSets, Metrics: definitions } = directive;
    if (typeof namespace !== 'string' || !Array.isArray(dimensionSets) || !Array.isArray(definitions)) {
      this.unreadable++;
      return;
    }
    const sets = dimensionSets.length === 0 ? [[]] : (dimensionSets as unknown[]);
    for (const definition of definitions as unknown[]) {
      if (!isObject(definition) || typeof definition.Name !== 'string') continue;
      const name = definition.Name;
      const value = root[name];
      const values = (Array.isArray(value) ? value : [value]).filter(
        (v): v is number => typeof v === 'number' && Number.isFinite(v),
      );
      if (values.length === 0) continue;
      const unit = typeof definition.Unit === 'string' ? definition.Unit : 'None';
      for (const set of sets) {
        if (!Array.isArray(set)) continue;
        const dimensions: Record<string, string> = {};
        for (const key of set) {
          const dimension = typeof key === 'string' ? root[key] : undefined;
          if (typeof dimension === 'string') dimensions[key as string] = dimension;
        }
        this.add(namespace, name, unit, dimensions, values);
      }
    }
  }

  private add(
    namespace: string,
    name: string,
    unit: string,
    dimensions: Record<string, string>,
    values: readonly number[],
  ): void {
    const sorted = Object.fromEntries(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : 1)));
    const key = JSON.stringify([namespace, name, sorted]);
    let metric = this.metrics.get(key);
    if (metric === undefined) {
      metric = { namespace, name, unit, dimensions: sorted, count: 0, sum: 0, min: Infinity, max: -Infinity };
      this.metrics.set(key, metric);
    }
    for (const v of values) {
      metric.count++;
      metric.sum += v;
      metric.min = Math.min(metric.min, v);
      metric.max = Math.max(metric.max, v);
    }
  }
}
