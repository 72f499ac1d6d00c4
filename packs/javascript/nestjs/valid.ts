import { Controller, ForbiddenException, Get, Req } from '@nestjs/common';

@Controller('admin')
export class AdminController {
  @Get()
  dashboard(@Req() req: { user: { roles: string[] } }) {
    // The guard authenticated the caller; this is a permission.
    if (!req.user.roles.includes('admin')) {
      throw new ForbiddenException('admins only');
    }
    return this.admin.summary();
  }
}
