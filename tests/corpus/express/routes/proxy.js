// Express proxy routes. Two forward the upstream's status (a GitHub 401 for an
// expired service token would look like the user's own failure); the weather
// route maps an upstream 401 to 502 before passing other statuses on.
import { Router } from 'express'
import axios from 'axios'

const router = Router()

router.all('/github/*', async (req, res) => {
  const r = await fetch(`https://api.github.com/${req.params[0]}`, {
    headers: { Authorization: `token ${process.env.GITHUB_TOKEN}` },
  })
  const body = await r.json()
  res.status(r.status).json(body) // expect: no-forwarded-401
})

router.get('/invoices/:id', async (req, res) => {
  try {
    const { data } = await axios.get(`${process.env.BILLING_URL}/invoices/${req.params.id}`)
    res.json(data)
  } catch (err) {
    console.error('billing service error', err.message)
    res.status(err.response?.status || 500).json({ error: 'Billing service error' }) // expect: no-forwarded-401
  }
})

router.get('/weather', async (req, res) => {
  const r = await axios.get('https://weather.example.com/v1/now', {
    params: { q: req.query.q, key: process.env.WEATHER_KEY },
    validateStatus: () => true,
  })
  if (r.status >= 500) return res.status(502).json({ error: 'upstream unavailable' })
  return res.status(r.status === 401 ? 502 : r.status).json(r.data)
})

export default router
