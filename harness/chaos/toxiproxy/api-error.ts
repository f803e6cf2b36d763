import { ApiError } from '../../scenario/toxic-error.ts';

// The error class and the body errors are shared with the scenario schema's toxic check.
export { ApiError, badRequestBody, invalidStream, invalidToxicType, missingField } from '../../scenario/toxic-error.ts';

// Messages and statuses are Toxiproxy's own, so tools that match on them keep working.
export const proxyNotFound = (): ApiError => new ApiError('proxy not found', 404);
export const proxyAlreadyExists = (): ApiError => new ApiError('proxy already exists', 409);
export const toxicAlreadyExists = (): ApiError => new ApiError('toxic already exists', 409);
export const toxicNotFound = (): ApiError => new ApiError('toxic not found', 404);

/** Any non-ApiError thrown inside a handler becomes a 500, like Toxiproxy's fallback. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(err instanceof Error ? err.message : String(err), 500);
}
