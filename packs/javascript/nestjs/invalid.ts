import { Controller, Get, Headers, HttpException, HttpStatus, UnauthorizedException } from '@nestjs/common';
import { ForbiddenException as Denied } from '@nestjs/common';

@Controller('reports')
export class ReportsController {
  @Get()
  list(@Headers('authorization') auth?: string) {
    if (!auth) {
      throw new UnauthorizedException('missing token');
    }
    const user = this.tokens.verify(auth);
    if (!user) {
      throw new HttpException('invalid token', HttpStatus.UNAUTHORIZED);
    }
    if (!auth.startsWith('Bearer ')) {
      throw new Denied('malformed credentials');
    }
    return this.reports.forUser(user);
  }
}
