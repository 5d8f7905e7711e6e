import { describe, expect, it } from 'vitest';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { applyFraming, bodyFraming } from './body-framing';

const request = (method: string, headers: Record<string, string>): IncomingMessage =>
  ({ method, headers }) as unknown as IncomingMessage;

describe('the framing of a forwarded body', () => {
  it('keeps a chunked body chunked for every method, GET, DELETE and OPTIONS included (Node would send it raw otherwise)', () => {
    for (const method of ['GET', 'DELETE', 'OPTIONS', 'POST', 'PATCH']) {
      const framing = bodyFraming(request(method, { 'transfer-encoding': 'chunked' }));
      expect(framing, method).toEqual({
        kind: 'framed',
        header: 'transfer-encoding',
        value: 'chunked',
      });
      const headers: OutgoingHttpHeaders = { host: 'x' };
      applyFraming(headers, framing);
      expect(headers['transfer-encoding']).toBe('chunked');
    }
  });

  it('sets the Content-Length of a sized body, and nothing for a request without one', () => {
    expect(bodyFraming(request('GET', { 'content-length': '12' }))).toEqual({
      kind: 'framed',
      header: 'content-length',
      value: '12',
    });
    expect(bodyFraming(request('GET', { 'content-length': '0' }))).toEqual({ kind: 'none' });
    expect(bodyFraming(request('DELETE', {}))).toEqual({ kind: 'none' });
  });

  it('refuses a body on TRACE, which may carry none', () => {
    expect(bodyFraming(request('TRACE', { 'content-length': '3' }))).toEqual({
      kind: 'refused',
      why: 'a TRACE request may not carry a body',
    });
    expect(bodyFraming(request('TRACE', {}))).toEqual({ kind: 'none' });
  });
});
