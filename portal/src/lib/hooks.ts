import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../api/client.ts';

export interface Message {
  kind: 'ok' | 'error';
  text: string;
  at: number;
}

/** The newest of several actions' messages: what the person did last. */
export function latest(...messages: Array<Message | null>): Message | null {
  return messages.reduce<Message | null>((newest, message) => (message && (!newest || message.at > newest.at) ? message : newest), null);
}

/** A change through the API that refreshes what it touches and keeps its last message for the page to show. */
export function useAction<Input, Output = unknown>(run: (input: Input) => Promise<Output>, refresh: string[][], success?: (output: Output, input: Input) => string) {
  const client = useQueryClient();
  const [message, setMessage] = useState<Message | null>(null);
  const mutation = useMutation({
    mutationFn: run,
    onSuccess: async (output, input) => {
      setMessage(success ? { kind: 'ok', text: success(output, input), at: Date.now() } : null);
      await Promise.all(refresh.map((queryKey) => client.invalidateQueries({ queryKey })));
    },
    onError: (error) => setMessage({ kind: 'error', text: error instanceof ApiError ? error.message : 'The server could not be reached. Try again.', at: Date.now() }),
  });
  return { ...mutation, message };
}

