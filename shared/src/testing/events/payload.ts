/** A string is sent as it is; anything else as JSON. */
export function payloadText(payload: unknown): string {
  return typeof payload === 'string' ? payload : JSON.stringify(payload);
}

/** Bytes are sent as they are, a string as UTF-8, anything else as JSON; all of it base64-encoded. */
export function payloadBase64(payload: unknown): string {
  const bytes = payload instanceof Uint8Array ? payload : Buffer.from(payloadText(payload), 'utf8');
  return Buffer.from(bytes).toString('base64');
}
