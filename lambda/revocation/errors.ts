// The revocation admin service's error family.
export type RevocationErrorCode = 'INVALID_CONFIG' | 'STORAGE_UNAVAILABLE';

export abstract class RevocationError extends Error {
  abstract readonly code: RevocationErrorCode;
}

export class RevocationConfigError extends RevocationError {
  override readonly name = 'RevocationConfigError';
  readonly code = 'INVALID_CONFIG' as const;
}

export class RevocationStorageUnavailableError extends RevocationError {
  override readonly name = 'RevocationStorageUnavailableError';
  readonly code = 'STORAGE_UNAVAILABLE' as const;
  constructor(options?: { cause?: unknown }) {
    super('the revocation table is unavailable', options);
  }
}
