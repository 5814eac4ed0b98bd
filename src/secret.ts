import { inspect } from "node:util";

/**
 * A credential that cannot leak by accident: printing, logging, `JSON.stringify` or `util.inspect` show
 * `[redacted]`. Only `reveal()` gives the value, at the one place that sends it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return "[redacted]";
  }

  toJSON(): string {
    return "[redacted]";
  }

  [inspect.custom](): string {
    return "[redacted]";
  }
}
