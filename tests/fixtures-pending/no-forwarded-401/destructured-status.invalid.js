// The upstream status is destructured from the axios response and passed
// straight through: `res.status(status)`. authlint misses it because
// `declarator_of` only matches declarators whose name is a plain identifier,
// not an object pattern (`const { status, data } = await axios.get(…)`).
const axios = require('axios')

app.get('/repos', async (req, res) => {
  const { status, data } = await axios.get('https://api.github.com/user/repos', {
    headers: { Authorization: `Bearer ${process.env.GH_TOKEN}` },
    validateStatus: () => true,
  })
  res.status(status).json(data)
})
