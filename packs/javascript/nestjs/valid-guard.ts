import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';

// Runs after the authentication guard, which answered a missing or bad
// token with 401: `false` refuses a known caller, which is what 403 means.
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest().user;
    if (!user.roles.includes('admin')) {
      return false;
    }
    return true;
  }
}

// Not a guard: another method's `false` is just a boolean.
export class Flags {
  isEnabled(name: string): boolean {
    if (!name) {
      return false;
    }
    return true;
  }
}
