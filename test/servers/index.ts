/** Test servers: fixture IMAP/POP3/SMTP servers (mail-server.ts) and hostile ones (hostile.ts). */
export * from './hostile.js'
export * from './mail-server.js'
export * from './tracked-server.js'
