import type { StandardSchemaV1 } from '@standard-schema/spec';
import { RecordParseError } from './errors.js';

/**
 * Parses an SQS record body as JSON and, with a schema, validates it (any Standard Schema validator:
 * zod, valibot, arktype, ...). Throws a {@link RecordParseError} naming the record and the problem;
 * the body itself never goes into the message (it may hold personal data).
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { parseRecordBody } from 'lambda-perf-kit/batch';
 * const order = await parseRecordBody(record.messageId, record.body, z.object({ id: z.number() }));
 * ```
 */
function jsonErrorPosition(error: unknown): string {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  return position === undefined ? '' : `, error at position ${position}`;
}

export async function parseRecordBody<T = unknown>(
  messageId: string,
  body: string,
  schema?: StandardSchemaV1<unknown, T>,
): Promise<T> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new RecordParseError(
      // Not the parser's message: V8 quotes the body in it, and a body never goes into a log line.
      `record ${messageId}: body is not valid JSON (${body.length} characters${jsonErrorPosition(error)})`,
      messageId,
      [],
      { cause: error },
    );
  }
  if (!schema) return value as T;
  let result = schema['~standard'].validate(value);
  if (result instanceof Promise) result = await result;
  if (result.issues) {
    const issues = result.issues.map((issue) => {
      const path = issue.path
        ?.map((segment) => (typeof segment === 'object' ? String(segment.key) : String(segment)))
        .join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    });
    throw new RecordParseError(
      `record ${messageId}: body does not match the schema (${issues.join('; ')})`,
      messageId,
      issues,
    );
  }
  return result.value;
}
