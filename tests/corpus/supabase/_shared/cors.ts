// Shared CORS headers imported by every edge function. Deliberately carries no
// WWW-Authenticate header: spreading it into a 401 does not add a challenge.
export const corsHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
}
