// Next.js pages-router API route (Express-like res). The missing cookie gets a
// bare 401; the Supabase error is echoed straight into the 401 body.
import type { NextApiRequest, NextApiResponse } from 'next'
import { createClient } from '@supabase/supabase-js'

const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!)

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const token = req.cookies['sb-access-token']
  if (!token) {
    return res.status(401).json({ message: 'Not authenticated' }) // expect: require-www-authenticate, require-401-logging
  }

  const { data, error } = await supabase.auth.getUser(token)
  if (error) {
    return res.status(401).json({ message: error.message }) // expect: require-www-authenticate, require-401-logging, no-error-detail-in-401
  }
  return res.status(200).json(data.user)
}
