import { z } from "zod";
import { operation } from "../operation.ts";
import { ProjectName, requireProject } from "./projects.ts";

export const serviceConnectionOperations = {
  service_connections_create_connection: operation({
    name: "service_connections_create_connection",
    summary:
      "Create a service connection for a project (hands pipelines credentials; policy holds it for approval)",
    write: true,
    input: z.object({
      project: ProjectName,
      name: z.string().min(1).max(255).describe("the connection's name, e.g. acme-azure"),
      type: z
        .enum(["azurerm", "generic", "github", "dockerregistry", "kubernetes"])
        .describe(
          "the kind of service: Azure Resource Manager, a generic URL, GitHub, a container registry or Kubernetes",
        ),
      url: z.url().describe("the service's URL, e.g. https://management.azure.com/"),
      scheme: z
        .string()
        .min(1)
        .describe("the authorization scheme, e.g. ServicePrincipal, UsernamePassword, Token"),
      parameters: z
        .record(z.string(), z.string())
        .describe("the scheme's parameters; secrets among them are write-only"),
    }),
    resource: (i) => `${i.project}/serviceconnections/${i.name}`,
    run: async (client, i) => {
      const endpoints = await client.getServiceEndpointApi();
      const [existing] = await endpoints.getServiceEndpointsByNames(i.project, [i.name]);
      if (existing?.id) return { id: existing.id, name: existing.name ?? i.name, created: false };
      const project = await requireProject(
        client,
        i.project,
        "service_connections_create_connection",
        `${i.project}/serviceconnections/${i.name}`,
      );
      const created = await endpoints.createServiceEndpoint({
        name: i.name,
        type: i.type,
        url: i.url,
        authorization: { scheme: i.scheme, parameters: i.parameters },
        serviceEndpointProjectReferences: [
          { name: i.name, projectReference: { id: project.id, name: project.name } },
        ],
      });
      return { id: created.id ?? "", name: created.name ?? i.name, created: true };
    },
  }),

  service_connections_list_connections: operation({
    name: "service_connections_list_connections",
    summary: "List a project's service connections (never their secrets)",
    write: false,
    input: z.object({ project: ProjectName }),
    resource: (i) => `${i.project}/serviceconnections`,
    run: async (client, i) =>
      (await (await client.getServiceEndpointApi()).getServiceEndpoints(i.project)).map((e) => ({
        id: e.id ?? "",
        name: e.name ?? "",
        type: e.type ?? "",
        url: e.url ?? "",
      })),
  }),
};
