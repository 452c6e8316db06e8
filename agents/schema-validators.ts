import type {
  JsonSchemaType,
  JsonSchemaValidator,
  jsonSchemaValidator,
} from "@modelcontextprotocol/sdk/validation";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";

/**
 * Output-schema validators shared by every MCP client of this process. A client compiles a validator for each
 * tool's output schema when it lists the tools, with an Ajv of its own by default: an agent connects several
 * clients, a run spawns several agents, and the same hundred schemas were compiled again each time. Compiled
 * once here, keyed by the schema's text (the servers send the same schemas to every client).
 */
class SharedValidators implements jsonSchemaValidator {
  readonly #ajv = new AjvJsonSchemaValidator();
  readonly #compiled = new Map<string, JsonSchemaValidator<unknown>>();

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const key = JSON.stringify(schema);
    let validator = this.#compiled.get(key);
    if (!validator) {
      validator = this.#ajv.getValidator<unknown>(schema);
      this.#compiled.set(key, validator);
    }
    return validator as JsonSchemaValidator<T>;
  }
}

export const sharedValidators: jsonSchemaValidator = new SharedValidators();
