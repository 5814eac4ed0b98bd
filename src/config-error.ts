/** A setting in the environment is missing or wrong; the message names the variable and what to set. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
