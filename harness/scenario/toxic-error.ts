/**
 * The error a toxic body is refused with, as the Toxiproxy API reports it: a message and the
 * HTTP status. It lives with the toxic rules (toxic-spec.ts) so that the scenario schema can
 * refuse at load time exactly what the chaos proxy's API would refuse mid-run; the proxy's
 * other errors are in chaos/toxiproxy/api-error.ts.
 */
import type { ApiErrorJson } from './toxic-types.ts';

/** An API failure carrying the HTTP status Toxiproxy would answer with. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON(): ApiErrorJson {
    return { error: this.message, status: this.status };
  }
}

// Messages and statuses are Toxiproxy's own, so tools that match on them keep working.
export const badRequestBody = (detail: string): ApiError =>
  new ApiError(`bad request body: ${detail}`, 400);
export const missingField = (field: string): ApiError =>
  new ApiError(`missing required field: ${field}`, 400);
export const invalidStream = (): ApiError =>
  new ApiError('stream was invalid, can be either upstream or downstream', 400);
export const invalidToxicType = (): ApiError => new ApiError('invalid toxic type', 400);
