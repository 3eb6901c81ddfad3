// Powertools' Logger and Metrics print one JSON document per write, through a Console bound to
// process.stdout and process.stderr (warnings and errors); replacing the streams' `write` catches both.

export type JsonEntry = Record<string, unknown>;

/** A line of Powertools' Logger: https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/ */
export interface LogEntry extends JsonEntry {
  level: string;
  message: string;
}

export interface LogCapture {
  /** Every JSON document written while capturing, parsed, in order: log lines and EMF metrics. */
  entries(): JsonEntry[];
  /** The Logger's lines. */
  logs(): LogEntry[];
  /** The EMF documents Metrics flushed (they carry `_aws`). */
  metrics(): JsonEntry[];
  clear(): void;
  /** Gives the streams back; once is enough, and captures end in the reverse order they began. */
  release(): void;
}

/**
 * Keeps what is written as JSON to stdout and stderr until released; anything else (the test
 * reporter's lines, a stray console.log) still reaches the terminal.
 */
export function captureLogs(): LogCapture {
  const entries: JsonEntry[] = [];
  const diversions = [process.stdout, process.stderr].map((stream) => divert(stream, entries));
  let released = false;
  return {
    entries: () => [...entries],
    logs: () => entries.filter(isLogEntry),
    metrics: () => entries.filter((entry) => '_aws' in entry),
    clear: () => {
      entries.length = 0;
    },
    release: () => {
      if (released) return;
      if (diversions.some(({ stream, capturing }) => stream.write !== capturing)) {
        throw new Error('Log captures must end in the reverse order they began');
      }
      for (const { stream, write } of diversions) stream.write = write;
      released = true;
    },
  };
}

/**
 * Captures in each test of the enclosing describe (from its beforeEach to its afterEach); the capture
 * returned reads the running test's.
 */
export function captureLogsInEachTest(): LogCapture {
  let current: LogCapture | undefined;
  beforeEach(() => {
    current = captureLogs();
  });
  afterEach(() => {
    current?.release();
    current = undefined;
  });
  const running = (): LogCapture => {
    if (current === undefined) throw new Error('Logs are captured only while a test runs');
    return current;
  };
  return {
    entries: () => running().entries(),
    logs: () => running().logs(),
    metrics: () => running().metrics(),
    clear: () => running().clear(),
    release: () => running().release(),
  };
}

interface Diversion {
  stream: NodeJS.WriteStream;
  write: NodeJS.WriteStream['write'];
  capturing: NodeJS.WriteStream['write'];
}

function divert(stream: NodeJS.WriteStream, entries: JsonEntry[]): Diversion {
  const write = stream.write;
  const capturing = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const parsed = parseJsonDocuments(
      typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'),
    );
    if (parsed === undefined) return write.call(stream, chunk, ...(rest as []));
    entries.push(...parsed);
    const callback = rest.find((argument) => typeof argument === 'function');
    if (callback) process.nextTick(callback as () => void);
    return true;
  }) as NodeJS.WriteStream['write'];
  stream.write = capturing;
  return { stream, write, capturing };
}

/** One document per line, or one pretty-printed document (POWERTOOLS_DEV); undefined if not all JSON. */
function parseJsonDocuments(text: string): JsonEntry[] | undefined {
  const whole = parseObject(text);
  if (whole !== undefined) return [whole];
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const documents = lines.map(parseObject);
  if (documents.length === 0 || documents.some((document) => document === undefined)) return undefined;
  return documents as JsonEntry[];
}

function parseObject(text: string): JsonEntry | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JsonEntry)
      : undefined;
  } catch {
    return undefined;
  }
}

function isLogEntry(entry: JsonEntry): entry is LogEntry {
  return typeof entry.level === 'string' && typeof entry.message === 'string';
}
