import type { Email } from '../mail/mailer.ts';

/** The words of the emails people get; each carries one link or one piece of news. */
export const accountEmails = {
  invitation: (to: string, network: string, link: string): Email => ({
    to,
    subject: `You are invited to ${network}`,
    text: `You have been invited to ${network} on Partnerline.\n\nSet your password here (the link works for 7 days):\n${link}\n`,
  }),
  passwordReset: (to: string, network: string, link: string): Email => ({
    to,
    subject: `Reset your ${network} password`,
    text: `Someone asked to reset the password of this account on ${network}.\n\nSet a new password here (the link works for 1 hour):\n${link}\n\nIf it was not you, ignore this email: your password stays as it is.\n`,
  }),
  confirmEmail: (to: string, network: string, link: string): Email => ({
    to,
    subject: `Confirm your email for ${network}`,
    text: `Thank you for applying to ${network}.\n\nConfirm your email address here:\n${link}\n\nWe will tell you when your application is decided.\n`,
  }),
  applicationDecided: (to: string, network: string, approved: boolean, reason: string | null, signInUrl: string): Email => ({
    to,
    subject: approved ? `Welcome to ${network}` : `Your application to ${network}`,
    text: approved
      ? `Your application to ${network} is approved.${reason ? `\n\n${reason}` : ''}\n\nSign in here:\n${signInUrl}\n`
      : `Your application to ${network} was not accepted.${reason ? `\n\nReason: ${reason}` : ''}\n`,
  }),
};
