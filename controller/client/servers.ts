/** The MCP servers, one per governance factory: each is also the audience of the grants for it. */
export const SERVER_NAMES = ["github", "azure-devops", "database", "ai"] as const;
export type ServerName = (typeof SERVER_NAMES)[number];
