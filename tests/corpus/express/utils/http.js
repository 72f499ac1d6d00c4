// Shared Express response helpers. sendError(res, status, message) passes its
// status parameter into the response, so each call is checked where it is made;
// it sets no WWW-Authenticate header.
export function sendError(res, status, message) {
  return res.status(status).json({ error: message })
}

export function sendOk(res, body) {
  return res.status(200).json(body)
}
