// NestJS controller using the Express response directly with HttpStatus. The
// missing user is logged through this.logger but gets no challenge; the role
// check is a correct 403.
import { Controller, Get, HttpStatus, Logger, Req, Res } from '@nestjs/common'
import type { Request, Response } from 'express'

@Controller('reports')
export class ReportsController {
  private readonly logger = new Logger(ReportsController.name)

  @Get()
  list(@Req() req: Request, @Res() res: Response) {
    const user = req.user as { id: string; roles?: string[] } | undefined
    if (!user) {
      this.logger.warn('reports requested without a user')
      return res.status(HttpStatus.UNAUTHORIZED).json({ message: 'Unauthorized' }) // expect: require-www-authenticate
    }
    if (!user.roles?.includes('analyst')) {
      return res.status(HttpStatus.FORBIDDEN).json({ message: 'Analysts only' })
    }
    return res.status(HttpStatus.OK).json([])
  }
}
