import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

// A guard that answers a missing or bad token with `false`: Nest sends
// 403 Forbidden, and clients never learn to sign in again.
@Injectable()
export class SubscriberGuard implements CanActivate {
  private readonly logger = new Logger(SubscriberGuard.name);

  constructor(private readonly jwt: JwtService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest();
    const authorization: string | undefined = request.headers.authorization;
    if (!authorization) {
      this.logger.warn('subscriber route without a token');
      return false;
    }
    try {
      request.subscriber = this.jwt.verify(authorization.replace('Bearer ', ''));
    } catch {
      this.logger.warn('subscriber token rejected');
      return false;
    }
    return true;
  }
}
