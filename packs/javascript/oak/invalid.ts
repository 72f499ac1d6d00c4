import { Application, Router } from 'jsr:@oak/oak@^17';

const router = new Router();

router.get('/vault', async (ctx) => {
  const auth = ctx.request.headers.get('Authorization');
  if (!auth) {
    ctx.response.status = 401;
    ctx.response.body = { error: 'missing token' };
    return;
  }
  ctx.response.body = await openVault(auth);
});

router.post('/vault', async (context) => {
  if (!context.request.headers.has('Authorization')) {
    console.warn('vault: no Authorization header');
    context.response.status = 401;
    return;
  }
  context.response.status = 204;
});

new Application().use(router.routes()).listen({ port: 8000 });
