/**
 * The gRPC status codes (google.rpc.Code) that Firestore's errors carry in `code`, by name: the
 * ones our preconditions and create() calls expect.
 */
export const GRPC_STATUS = {
  /** The document was deleted (an update's precondition). */
  NOT_FOUND: 5,
  /** create() found the document there already. */
  ALREADY_EXISTS: 6,
  /** The document changed since it was read (an update's lastUpdateTime precondition). */
  FAILED_PRECONDITION: 9,
} as const;

export type GrpcStatus = (typeof GRPC_STATUS)[keyof typeof GRPC_STATUS];

/** Whether a Firestore error carries one of the given statuses. */
export function hasGrpcStatus(error: unknown, ...statuses: GrpcStatus[]): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return statuses.some((status) => status === code);
}
