// Status constants shared by the Express routes (imported through ../utils).
export const UNAUTHORIZED = 401
export const FORBIDDEN = 403
export const NOT_FOUND = 404
