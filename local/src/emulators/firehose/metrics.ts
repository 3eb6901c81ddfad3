/**
 * The metrics Firehose publishes in its AWS/Firehose namespace, by DeliveryStreamName, written as
 * Embedded Metric Format documents to the local cloud's metrics file (where the functions' EMF
 * lines go): counts and bytes summed over a second, observations (freshness, durations) as values.
 * https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

export type MetricUnit = 'Count' | 'Bytes' | 'Seconds' | 'Milliseconds' | 'None';

export interface FirehoseMetrics {
  /** Adds to a sum: IncomingRecords, DeliveryToS3.Bytes... */
  add(stream: string, name: string, value: number, unit: MetricUnit): void;
  /** One observation: DeliveryToS3.DataFreshness, ExecuteProcessing.Duration... */
  observe(stream: string, name: string, value: number, unit: MetricUnit): void;
  /** Publishes what was gathered since the last flush. */
  flush(): void;
  stop(): void;
}

export const FIREHOSE_NAMESPACE = 'AWS/Firehose';
/** EMF allows at most 100 values per metric in one document. */
const MAX_VALUES = 100;

export function createFirehoseMetrics(options: {
  publish: (document: Record<string, unknown>) => void;
  clock?: () => number;
  intervalMs?: number;
}): FirehoseMetrics {
  const clock = options.clock ?? Date.now;
  type Metric = { unit: MetricUnit; sum?: number; values?: number[] };
  let gathered = new Map<string, Map<string, Metric>>();
  const metricOf = (stream: string, name: string, unit: MetricUnit) => {
    let metrics = gathered.get(stream);
    if (metrics === undefined) {
      metrics = new Map();
      gathered.set(stream, metrics);
    }
    let metric = metrics.get(name);
    if (metric === undefined) {
      metric = { unit };
      metrics.set(name, metric);
    }
    return metric;
  };
  const flush = () => {
    const current = gathered;
    gathered = new Map();
    for (const [stream, metrics] of current) {
      const entries = [...metrics.entries()];
      // Sums in the first document; observations chunked so that each document stays within EMF's limit.
      const chunks = Math.max(
        1,
        ...entries.map(([, metric]) => Math.ceil((metric.values?.length ?? 0) / MAX_VALUES)),
      );
      for (let chunk = 0; chunk < chunks; chunk += 1) {
        const document: Record<string, unknown> = { DeliveryStreamName: stream };
        const definitions: { Name: string; Unit: MetricUnit }[] = [];
        for (const [name, metric] of entries) {
          const value =
            metric.values === undefined
              ? chunk === 0
                ? metric.sum
                : undefined
              : metric.values.slice(chunk * MAX_VALUES, (chunk + 1) * MAX_VALUES);
          if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
          document[name] = value;
          definitions.push({ Name: name, Unit: metric.unit });
        }
        if (definitions.length === 0) continue;
        options.publish({
          _aws: {
            Timestamp: clock(),
            CloudWatchMetrics: [
              { Namespace: FIREHOSE_NAMESPACE, Dimensions: [['DeliveryStreamName']], Metrics: definitions },
            ],
          },
          ...document,
        });
      }
    }
  };
  const timer = setInterval(flush, options.intervalMs ?? 1_000);
  timer.unref();
  return {
    add(stream, name, value, unit) {
      const metric = metricOf(stream, name, unit);
      metric.sum = (metric.sum ?? 0) + value;
    },
    observe(stream, name, value, unit) {
      const metric = metricOf(stream, name, unit);
      metric.values ??= [];
      metric.values.push(value);
    },
    flush,
    stop() {
      clearInterval(timer);
      flush();
    },
  };
}
