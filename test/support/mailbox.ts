import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  to: string;
  subject: string;
  text: string;
}

/** A real SMTP server on a loopback port that keeps what it receives, for tests of the emails people get. */
export interface Mailbox {
  smtpUrl: string;
  received: ReceivedEmail[];
  /** The first email to this address whose subject matches, waiting for it up to five seconds. */
  waitFor(to: string, subject: RegExp): Promise<ReceivedEmail>;
  /** The link an email carries. */
  close(): Promise<void>;
}

export async function startMailbox(): Promise<Mailbox> {
  const received: ReceivedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to.flatMap((group) => group.value) : (mail.to?.value ?? []);
          received.push({ to: to.map((address) => address.address ?? '').join(','), subject: mail.subject ?? '', text: mail.text ?? '' });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    received,
    async waitFor(to, subject) {
      for (let waited = 0; waited < 5000; waited += 50) {
        const email = received.find((mail) => mail.to.toLowerCase().includes(to.toLowerCase()) && subject.test(mail.subject));
        if (email) return email;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no email to ${to} matching ${subject} arrived; received: ${received.map((mail) => `${mail.to}: ${mail.subject}`).join(' | ')}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token of the first link in an email. */
export function linkToken(email: ReceivedEmail): string {
  const link = email.text.match(/https?:\/\/\S+/)?.[0];
  if (!link) throw new Error(`the email "${email.subject}" carries no link`);
  return new URL(link).searchParams.get('token')!;
}
