// AWS Lambda proxying a partner API. The partner's status is returned as ours.
export const handler = async (event) => {
  const upstream = await fetch(`${process.env.PARTNER_URL}${event.rawPath}`, {
    headers: { Authorization: `Bearer ${process.env.PARTNER_TOKEN}` },
  })
  return {
    statusCode: upstream.status, // expect: no-forwarded-401
    headers: { 'Content-Type': upstream.headers.get('content-type') ?? 'application/json' },
    body: await upstream.text(),
  }
}
