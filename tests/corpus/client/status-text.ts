// Status messages and unrelated numbers that happen to be 401 or 403: a lookup
// table, a room number, a layout width and an HTTP code list. Nothing to report.
export const STATUS_MESSAGES: Record<number, string> = {
  400: 'Something in the request was wrong',
  401: 'Please sign in again',
  403: 'You do not have access to this resource',
  404: 'Not found',
}

export const AUTH_ERRORS = new Set([401, 403])

export const MEETING_ROOM = 'Room 401'
export const SIDEBAR_WIDTH = 401

export function describe(status: number): string {
  if (AUTH_ERRORS.has(status)) return status === 401 ? 'unauthenticated' : 'forbidden'
  return STATUS_MESSAGES[status] ?? `HTTP ${status}`
}

export const errorToStatus = { unauthorized: 401, forbidden: 403 } as const
