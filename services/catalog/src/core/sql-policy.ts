import { ValidationError } from '@serverless-patterns/shared/errors';
import type { Column } from '@serverless-patterns/shared/schemas/events';

/**
 * What the query service lets through: one SELECT, reading only the lake's tables, judged on the
 * tree DuckDB's own parser makes of it (`json_serialize_sql`), never on the text. Anything but a
 * SELECT does not serialize at all (COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET, CREATE...); inside a
 * SELECT, table functions (read_csv, read_parquet, query...) appear as TABLE_FUNCTION nodes, and a
 * quoted file name as a base table that is not in the lake.
 * https://duckdb.org/docs/stable/data/json/sql_to_and_from_json
 */

/** Query nodes, table references, result modifiers and sort orders a read-only SELECT is made of. */
const ALLOWED_NODES = new Set([
  'SELECT_NODE',
  'SET_OPERATION_NODE',
  'RECURSIVE_CTE_NODE',
  'CTE_NODE',
  'BASE_TABLE',
  'JOIN',
  'SUBQUERY',
  'EXPRESSION_LIST',
  'EMPTY',
  'TABLE_FUNCTION',
  'PIVOT',
  'ORDER_MODIFIER',
  'LIMIT_MODIFIER',
  'LIMIT_PERCENT_MODIFIER',
  'DISTINCT_MODIFIER',
  'ORDER_DEFAULT',
  'ASCENDING',
  'DESCENDING',
]);

/** Table functions that only generate values; every other one (every file reader, `query`) is refused. */
const ALLOWED_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest']);

/** Scalar functions that read the engine's settings or variables rather than the data. */
const REFUSED_FUNCTIONS = new Set(['current_setting', 'getvariable', 'getenv']);

type Node = Record<string, unknown>;

/** The SQL is not one the service runs; the message says why. */
export class SqlRefusedError extends ValidationError {
  override readonly name: string = 'SqlRefusedError';
}

/** DuckDB's parse of a query: `{ error: true, error_message }` or the statements' trees. */
export interface ParsedSql {
  error: boolean;
  error_message?: string;
  error_type?: string;
  statements?: { node: Node }[];
}

/** The lake tables a query reads (lower case, CTE names left out), once it is known to be allowed. */
export function checkQuery(parsed: ParsedSql): { tables: string[]; statement: Node } {
  if (parsed.error) {
    const message = parsed.error_message ?? 'the statement could not be parsed';
    throw new SqlRefusedError(
      /only select/i.test(message)
        ? 'Only a read-only SELECT is allowed (no COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET or DDL)'
        : `The SQL does not parse: ${message}`,
    );
  }
  const statements = parsed.statements ?? [];
  if (statements.length !== 1 || statements[0] === undefined)
    throw new SqlRefusedError(`Exactly one statement is allowed; this SQL has ${statements.length}`);
  const statement = statements[0].node;
  const cteNames = new Set<string>();
  const tables = new Set<string>();
  walk(statement, (node) => {
    const map = (node.cte_map as { map?: { key?: unknown }[] } | undefined)?.map ?? [];
    for (const { key } of map) if (typeof key === 'string') cteNames.add(key.toLowerCase());
  });
  walk(statement, (node) => {
    if ('class' in node) {
      if (node.class === 'FUNCTION' && REFUSED_FUNCTIONS.has(String(node.function_name).toLowerCase()))
        throw new SqlRefusedError(`Function ${String(node.function_name)} is not allowed`);
      return;
    }
    if (typeof node.type !== 'string') return;
    if (!ALLOWED_NODES.has(node.type))
      throw new SqlRefusedError(`${node.type} is not allowed in a lake query`);
    if (node.type === 'TABLE_FUNCTION') {
      const name = String((node.function as Node | undefined)?.function_name ?? '').toLowerCase();
      if (!ALLOWED_TABLE_FUNCTIONS.has(name))
        throw new SqlRefusedError(`Table function ${name}() is not allowed: query the lake's tables by name`);
    }
    if (node.type === 'BASE_TABLE') {
      if (node.catalog_name !== '' || node.schema_name !== '')
        throw new SqlRefusedError('Tables are named without a catalog or schema: the lake has one of each');
      const name = String(node.table_name).toLowerCase();
      if (!cteNames.has(name)) tables.add(name);
    }
  });
  return { tables: [...tables].sort(), statement };
}

/** Calls `visit` on every object of the tree, depth first. */
function walk(value: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  visit(value as Node);
  for (const child of Object.values(value)) walk(child, visit);
}

/**
 * The Glue partition filter that keeps the partitions of `table` the query can read: the AND of the
 * WHERE clause's conditions on its partition keys (comparisons, IN, BETWEEN, ORs of those) with
 * literal values, in every SELECT that reads the table (an OR across them). Conditions it cannot
 * translate keep every partition: the filter only ever narrows what the query itself would discard.
 * Undefined when every partition is needed.
 * https://docs.aws.amazon.com/glue/latest/webapi/API_GetPartitions.html (Expression)
 */
export function partitionFilter(
  statement: Node,
  table: string,
  partitionKeys: readonly Column[],
): string | undefined {
  if (partitionKeys.length === 0) return undefined;
  const keys = new Map(partitionKeys.map((key) => [key.name.toLowerCase(), key.type]));
  const perReference: (string | undefined)[] = [];
  walk(statement, (node) => {
    if (node.type !== 'SELECT_NODE' || 'class' in node) return;
    for (const reference of baseTablesOf(node.from_table)) {
      if (String(reference.table_name).toLowerCase() !== table) continue;
      const qualifier = String(reference.alias || reference.table_name).toLowerCase();
      const conditions = conjuncts(node.where_clause)
        .map((condition) => translate(condition, qualifier, keys))
        .filter((condition): condition is string => condition !== undefined);
      perReference.push(conditions.length === 0 ? undefined : conditions.join(' AND '));
    }
  });
  if (perReference.length === 0 || perReference.includes(undefined)) return undefined;
  const unique = [...new Set(perReference as string[])];
  return unique.length === 1 ? unique[0] : unique.map((filter) => `(${filter})`).join(' OR ');
}

/** The base tables a FROM clause reads directly (through joins, not into subqueries). */
function baseTablesOf(reference: unknown): Node[] {
  if (typeof reference !== 'object' || reference === null) return [];
  const node = reference as Node;
  if (node.type === 'BASE_TABLE') return [node];
  if (node.type === 'JOIN') return [...baseTablesOf(node.left), ...baseTablesOf(node.right)];
  return [];
}

function conjuncts(expression: unknown): Node[] {
  if (typeof expression !== 'object' || expression === null) return [];
  const node = expression as Node;
  if (node.type === 'CONJUNCTION_AND') return (node.children as Node[]).flatMap(conjuncts);
  return [node];
}

const COMPARISONS: Readonly<Record<string, [string, string]>> = {
  // operator, and the operator with its sides swapped
  COMPARE_EQUAL: ['=', '='],
  COMPARE_NOTEQUAL: ['<>', '<>'],
  COMPARE_LESSTHAN: ['<', '>'],
  COMPARE_GREATERTHAN: ['>', '<'],
  COMPARE_LESSTHANOREQUALTO: ['<=', '>='],
  COMPARE_GREATERTHANOREQUALTO: ['>=', '<='],
};

function translate(node: Node, qualifier: string, keys: ReadonlyMap<string, string>): string | undefined {
  const type = String(node.type);
  if (type === 'CONJUNCTION_AND' || type === 'CONJUNCTION_OR') {
    const parts = (node.children as Node[]).map((child) => translate(child, qualifier, keys));
    if (parts.some((part) => part === undefined)) return undefined;
    return `(${parts.join(type === 'CONJUNCTION_AND' ? ' AND ' : ' OR ')})`;
  }
  const operators = COMPARISONS[type];
  if (operators !== undefined) {
    const [left, right] = [node.left as Node, node.right as Node];
    const direct = comparison(left, right, operators[0], qualifier, keys);
    return direct ?? comparison(right, left, operators[1], qualifier, keys);
  }
  if (type === 'COMPARE_IN') {
    const [column, ...values] = node.children as Node[];
    const key = keyOf(column, qualifier, keys);
    if (key === undefined || values.length === 0) return undefined;
    const literals = values.map((value) => literalOf(value, key.type));
    if (literals.some((literal) => literal === undefined)) return undefined;
    return `${key.name} IN (${literals.join(', ')})`;
  }
  if (type === 'COMPARE_BETWEEN') {
    const key = keyOf(node.input, qualifier, keys);
    if (key === undefined) return undefined;
    const [lower, upper] = [literalOf(node.lower, key.type), literalOf(node.upper, key.type)];
    return lower === undefined || upper === undefined
      ? undefined
      : `${key.name} BETWEEN ${lower} AND ${upper}`;
  }
  return undefined;
}

function comparison(
  column: Node,
  value: Node,
  operator: string,
  qualifier: string,
  keys: ReadonlyMap<string, string>,
): string | undefined {
  const key = keyOf(column, qualifier, keys);
  if (key === undefined) return undefined;
  const literal = literalOf(value, key.type);
  return literal === undefined ? undefined : `${key.name} ${operator} ${literal}`;
}

/** The partition key a column reference names: `decade`, or `n.decade` with the table's alias. */
function keyOf(
  expression: unknown,
  qualifier: string,
  keys: ReadonlyMap<string, string>,
): { name: string; type: string } | undefined {
  const node = expression as Node | undefined;
  if (node?.class !== 'COLUMN_REF') return undefined;
  const names = (node.column_names as string[]).map((name) => name.toLowerCase());
  const name = names.at(-1) ?? '';
  if (names.length > 2 || (names.length === 2 && names[0] !== qualifier)) return undefined;
  const type = keys.get(name);
  return type === undefined ? undefined : { name, type };
}

const INTEGER_TYPES = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'UBIGINT',
]);

/**
 * A constant as Glue's filter writes it for the key's type: a whole number for a `bigint` key
 * (also from a quoted one, as SQL casts it), a quoted string for a `string` key. Anything else
 * (a number compared with a string key, a quote inside a string) is not translated.
 */
function literalOf(expression: unknown, keyType: string): string | undefined {
  const node = expression as Node | undefined;
  if (node?.class !== 'CONSTANT') return undefined;
  const {
    value,
    is_null: isNull,
    type,
  } = node.value as { value: unknown; is_null: boolean; type: { id: string } };
  if (isNull) return undefined;
  if (keyType === 'bigint') {
    if (INTEGER_TYPES.has(type.id)) return String(value);
    return type.id === 'VARCHAR' && /^-?\d{1,18}$/.test(String(value)) ? String(value) : undefined;
  }
  if (type.id !== 'VARCHAR' || String(value).includes("'")) return undefined;
  return `'${String(value)}'`;
}
