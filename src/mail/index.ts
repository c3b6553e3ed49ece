// The mail module's public face, for the composition root and the CLI.
export { createMailEffectHandlers, messageIdFor, type MailDeps } from './handlers.ts';
export { createMailer, type Mailer, type MailerConfig, type OutgoingMail } from './mailer.ts';
export { staffLinkSender, passwordLinkUrl } from './staff-mail.ts';
export { allTemplates, templateKind, templatesOf } from '../letters/catalogue.ts';
export { assembleLetterData, loadLetterSource, contactKey, type LetterData } from '../letters/letter-data.ts';
export { renderMessage, TemplateError } from '../letters/render.ts';
export { letterPdf } from '../letters/pdf-pool.ts';
