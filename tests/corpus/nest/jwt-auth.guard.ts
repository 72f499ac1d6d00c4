// NestJS guards. JwtAuthGuard extends @nestjs/passport's AuthGuard and throws
// UnauthorizedException, which Nest sends as a 401 with no WWW-Authenticate
// (the passport strategy's challenge is dropped). ApiKeyGuard sets the
// challenge on the response before throwing, and returns false (403) for
// keys without the scope. Both log.
import {
  CanActivate,
  ExecutionContext,
  Injectable,
  Logger,
  UnauthorizedException,
} from '@nestjs/common'
import { AuthGuard } from '@nestjs/passport'

@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger(JwtAuthGuard.name)

  handleRequest<TUser>(err: unknown, user: TUser, info?: Error): TUser {
    if (err || !user) {
      this.logger.warn(`jwt rejected: ${info?.message ?? 'no user'}`)
      throw new UnauthorizedException(info?.message ?? 'Unauthorized') // expect: require-www-authenticate
    }
    return user
  }
}

@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name)

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp()
    const req = http.getRequest()
    const key = await findKey(req.headers['x-api-key'])
    if (!key) {
      this.logger.warn('unknown api key')
      http.getResponse().setHeader('WWW-Authenticate', 'ApiKey realm="reports"')
      throw new UnauthorizedException('Unknown API key')
    }
    return key.scopes.includes('reports:read')
  }
}
