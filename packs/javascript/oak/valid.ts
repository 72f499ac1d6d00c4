import { Application, Router } from 'https://deno.land/x/oak@v12.6.1/mod.ts';

const router = new Router();

router.get('/vault', async (ctx) => {
  const auth = ctx.request.headers.get('Authorization');
  if (!auth) {
    console.warn('vault: no Authorization header');
    ctx.response.headers.set('WWW-Authenticate', 'Bearer realm="vault"');
    ctx.response.status = 401;
    return;
  }
  ctx.response.body = await openVault(auth);
});

new Application().use(router.routes()).listen({ port: 8000 });
