// CloudWatch's Embedded Metric Format, checked as its specification reads, independently of the code that writes
// it: the `_aws` metadata (Timestamp, CloudWatchMetrics), each MetricDirective (Namespace, Dimensions, Metrics),
// the target members every name refers to, and the limits (100 metric definitions a directive, 30 dimension keys
// a set, 100 values a metric, units from CloudWatch's list). `extractMetrics` reads the data points CloudWatch
// would extract from a document.

/** MetricDatum.Unit: the units CloudWatch accepts. */
export const CLOUDWATCH_UNITS: ReadonlySet<string> = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

/** One data point CloudWatch extracts: a metric in one dimension set. */
export interface ExtractedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
  readonly timestamp: number;
}

function fail(line: string, why: string): never {
  throw new Error(`not an EMF document (${why}): ${line.slice(0, 300)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks one log line against the specification and returns the data points it yields. Throws, saying which
 * rule, for a line that is not valid EMF.
 */
export function extractMetrics(line: string): ExtractedMetric[] {
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    fail(line, 'the line is not one JSON object');
  }
  if (!isObject(root)) fail(line, 'the root is not an object');
  const meta = root._aws;
  if (!isObject(meta)) fail(line, '_aws is missing or not an object');
  const { Timestamp: timestamp, CloudWatchMetrics: directives } = meta;
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0) {
    fail(line, '_aws.Timestamp must be milliseconds since the epoch');
  }
  // CloudWatch refuses data points more than two weeks old or two hours ahead.
  if (Math.abs(timestamp - Date.now()) > 2 * 3600_000) fail(line, '_aws.Timestamp is not now');
  if (!Array.isArray(directives) || directives.length === 0) {
    fail(line, '_aws.CloudWatchMetrics must be a non-empty array of MetricDirective');
  }
  const extracted: ExtractedMetric[] = [];
  for (const directive of directives as unknown[]) {
    if (!isObject(directive)) fail(line, 'a MetricDirective is not an object');
    const { Namespace: namespace, Dimensions: dimensionSets, Metrics: metrics } = directive;
    if (
      typeof namespace !== 'string' ||
      !/^[A-Za-z0-9 ._\-/#:@+=]{1,255}$/.test(namespace) ||
      namespace.startsWith('AWS/')
    ) {
      fail(line, `Namespace ${JSON.stringify(namespace)} is not a custom CloudWatch namespace`);
    }
    if (!Array.isArray(dimensionSets)) fail(line, 'Dimensions must be an array of DimensionSet');
    if (!Array.isArray(metrics) || metrics.length === 0) fail(line, 'Metrics must be a non-empty array');
    if (metrics.length > 100) fail(line, 'a MetricDirective has more than 100 MetricDefinitions');
    const sets = (dimensionSets.length === 0 ? [[]] : dimensionSets) as unknown[];
    for (const set of sets) {
      if (!Array.isArray(set)) fail(line, 'a DimensionSet is not an array');
      if (set.length > 30) fail(line, 'a DimensionSet has more than 30 dimension keys');
      for (const key of set as unknown[]) {
        if (typeof key !== 'string') fail(line, 'a dimension key is not a string');
        const value = root[key];
        if (typeof value !== 'string') fail(line, `dimension ${key} is not a top-level string member`);
        // A dimension value: 1 to 1024 ASCII characters, not only whitespace, no control characters.
        if (!/^[\x20-\x7e]{1,1024}$/.test(value) || value.trim() === '') {
          fail(line, `dimension ${key} has the value ${JSON.stringify(value)}, which CloudWatch refuses`);
        }
      }
    }
    const names = new Set<string>();
    for (const definition of metrics as unknown[]) {
      if (!isObject(definition)) fail(line, 'a MetricDefinition is not an object');
      const { Name: name, Unit: unit, StorageResolution: resolution } = definition;
      if (typeof name !== 'string' || name === '' || name.length > 255)
        fail(line, 'a metric Name is invalid');
      if (names.has(name)) fail(line, `metric ${name} is defined twice in one directive`);
      names.add(name);
      if (unit !== undefined && (typeof unit !== 'string' || !CLOUDWATCH_UNITS.has(unit))) {
        fail(line, `metric ${name} has the unit ${JSON.stringify(unit)}, not one of CloudWatch's`);
      }
      if (resolution !== undefined && resolution !== 1 && resolution !== 60) {
        fail(line, `metric ${name} has StorageResolution ${JSON.stringify(resolution)}`);
      }
      const value = root[name];
      const values = Array.isArray(value) ? (value as unknown[]) : [value];
      if (values.length === 0 || values.length > 100) fail(line, `metric ${name} has 0 or over 100 values`);
      if (!values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        fail(line, `metric ${name} is not a top-level number or array of numbers`);
      }
      for (const set of sets as string[][]) {
        if (set.includes(name)) fail(line, `${name} is both a metric and a dimension`);
        extracted.push({
          namespace: namespace,
          name,
          unit: (unit as string | undefined) ?? 'None',
          dimensions: Object.fromEntries(set.map((key) => [key, root[key] as string])),
          values: values as number[],
          timestamp,
        });
      }
    }
  }
  return extracted;
}

/** The lines of a log that carry `_aws`: EMF documents, checked. */
export function emfLines(lines: readonly string[]): string[] {
  return lines.filter((line) => {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return '_aws' in parsed;
  });
}

/** Every data point in these lines, each line checked against the specification. */
export function allMetrics(lines: readonly string[]): ExtractedMetric[] {
  return emfLines(lines).flatMap(extractMetrics);
}

/** The values of one metric in exactly this dimension set (names and values), over every data point. */
export function pointsOf(
  metrics: readonly ExtractedMetric[],
  name: string,
  dimensions: Readonly<Record<string, string>>,
): number[] {
  const wanted = JSON.stringify(Object.entries(dimensions).sort());
  return metrics
    .filter((m) => m.name === name && JSON.stringify(Object.entries(m.dimensions).sort()) === wanted)
    .flatMap((m) => m.values);
}
