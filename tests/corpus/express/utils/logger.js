// pino logger shared by the Express app.
import pino from 'pino'

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' })

export default logger
