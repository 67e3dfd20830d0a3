/**
 * HF chat templates (Jinja in tokenizer_config.json "chat_template" or chat_template.jinja),
 * rendered with @huggingface/jinja the way transformers' apply_chat_template(tokenize=False) does:
 * the template sees `messages`, `add_generation_prompt` and the special tokens that are set
 * (bos_token, eos_token, ...); raise_exception and strftime_now come from the library.
 */
import { Template } from '@huggingface/jinja';
import { InputError } from '../errors.ts';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatTemplate {
  readonly source: string;
  render(
    messages: readonly ChatMessage[],
    addGenerationPrompt: boolean,
    specialTokens: Record<string, string | string[] | null>,
  ): string;
}

/** The template text: a string, or from a list of named templates the one called "default". */
function templateText(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value.find(
      (t) => t !== null && typeof t === 'object' && (t as { name?: unknown }).name === 'default',
    );
    const text = (named as { template?: unknown } | undefined)?.template;
    if (typeof text === 'string') return text;
    throw new InputError(`${where}: chat_template lists named templates but none called "default"`);
  }
  throw new InputError(`${where}: chat_template must be a string or a list of {name, template}`);
}

/** Parses the template once; null when there is none. Errors name `where` (the file). */
export function compileChatTemplate(value: unknown, where: string): ChatTemplate | null {
  const source = templateText(value, where);
  if (source === null) return null;
  let template: Template;
  try {
    template = new Template(source);
  } catch (e) {
    throw new InputError(`${where}: chat_template does not parse (${(e as Error).message})`);
  }
  return {
    source,
    render(messages, addGenerationPrompt, specialTokens) {
      const context: Record<string, unknown> = {
        messages: messages.map((m) => ({ ...m })),
        add_generation_prompt: addGenerationPrompt,
      };
      for (const [key, token] of Object.entries(specialTokens)) if (token !== null) context[key] = token;
      try {
        return template.render(context);
      } catch (e) {
        throw new InputError(`${where}: chat template failed on these messages (${(e as Error).message})`);
      }
    },
  };
}
