// Supabase edge function: Stripe webhook receiver. A missing signing secret is
// the server's own misconfiguration (500), yet it answers 401. The signature
// failure follows Stripe's docs (400 with the error text), which is fine.
import Stripe from 'npm:stripe@14'

const stripe = new Stripe(Deno.env.get('STRIPE_API_KEY') ?? '', {
  httpClient: Stripe.createFetchHttpClient(),
})

Deno.serve(async (req) => {
  const signingSecret = Deno.env.get('STRIPE_WEBHOOK_SECRET')
  if (!signingSecret) {
    console.error('STRIPE_WEBHOOK_SECRET is not set')
    return new Response('Unauthorized', { status: 401 }) // expect: no-401-for-server-error
  }

  const signature = req.headers.get('Stripe-Signature')
  if (!signature) {
    return new Response('Missing Stripe-Signature header', { status: 400 })
  }

  const body = await req.text()
  let event: Stripe.Event
  try {
    event = await stripe.webhooks.constructEventAsync(body, signature, signingSecret)
  } catch (err) {
    console.error('Webhook signature verification failed', err)
    return new Response(`Webhook Error: ${err.message}`, { status: 400 })
  }

  if (event.type === 'checkout.session.completed') {
    console.log('checkout completed', event.data.object.id)
  }
  return Response.json({ received: true })
})
