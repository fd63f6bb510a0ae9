// The single error type every RDATA codec throws; messages name the RR type and field.
export class RdataError extends Error {
  override name = 'RdataError';
}
