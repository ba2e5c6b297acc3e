import nodemailer, { type Transporter } from 'nodemailer';

export interface Email {
  to: string;
  subject: string;
  text: string;
}

/** Sends the platform's emails; where no SMTP server is set, writes them to the log instead. */
export interface Mailer {
  send(email: Email): Promise<void>;
  close(): void;
}

export interface MailSettings {
  smtpUrl: string | undefined;
  from: string;
}

export function createMailer(settings: MailSettings, log: (email: Email) => void): Mailer {
  if (!settings.smtpUrl) return { send: async (email) => log(email), close: () => {} };
  const transport: Transporter = nodemailer.createTransport(settings.smtpUrl);
  return {
    send: async (email) => {
      await transport.sendMail({ from: settings.from, ...email });
    },
    close: () => transport.close(),
  };
}
